"""Region Demo: the units, people and staff that the local stack and the tests use.

Children's birth dates are set relative to today (Stockholm), so the 9-year-old stays 9 and the
14-year-old stays 14 whenever this runs. Every personnummer is computed with a valid check digit
from a birth date and a serial; none belongs to a real person's record here.
"""

from __future__ import annotations

import random
from pathlib import Path
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from chalicelib.adapters.booking import visit_type_map
from chalicelib.adapters.tables import OpeningHours, UnitFormRecord, UnitRecord
from chalicelib.domain.booking import PRESETS, Slot, VisitType, Visibility
from chalicelib.domain.booking import STAFF as STAFF_PUBLISHED
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.events import Kind, event
from chalicelib.domain.cases import CaseType, Question, QuestionKind
from chalicelib.domain.localized import Localized as L
from chalicelib.domain.self_tests import Delivery, TestOffer, new_kit_number
from chalicelib.domain.people import Address, PersonUpdate
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.services import forms, integration
from chalicelib.services.ports import Ports

REGION_NAME = "Region Demo"
REGION_HSA_ID = "SE2321000099-R000"
PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
COORDINATION_CLAIM = "https://id.oidc.se/claim/coordinationNumber"


def _weekdays(opens: str, closes: str, *, friday_closes: str | None = None) -> list[tuple[int, str, str]]:
    return [(d, opens, friday_closes if d == 4 and friday_closes else closes) for d in range(5)]


@dataclass(frozen=True)
class DemoUnit:
    hsa_id: str
    name: str
    kind: str
    municipality: str
    street: str
    postal_code: str
    city: str
    phone: str
    hours: list[tuple[int, str, str]]
    visit_types: tuple[VisitType, ...] = ()


def _visit(visit_type_id: str, name: L, minutes: int, place: L, role: L, preset: str, *, web: bool = True,
           cancel_online: bool = True, sensitive: bool = False) -> VisitType:  # fmt: skip
    return VisitType(visit_type_id, name, minutes, place, role, replace(PRESETS[preset], cancel_online=cancel_online),
                     web_booking=web, sensitive=sensitive)  # fmt: skip


# Each visit type in Swedish and English (L: Swedish, English), so the demo reads in either language.
NURSE = L("Sjuksköterska", "Nurse")
UNITS = (
    DemoUnit("SE2321000099-VC01", "Vårdcentralen Norrby", "primary_care", "Demostad", "Norrbygatan 4", "123 45",
             "Demostad", "010-100 10 00", _weekdays("08:00", "17:00", friday_closes="16:00"),
             (_visit("provtagning", L("Provtagning", "Sample collection"), 15,
                     L("Provtagningen, plan 1", "Sample collection, floor 1"),
                     L("Biomedicinsk analytiker", "Biomedical scientist"), "same_day"),
              _visit("sjukskoterska", L("Besök hos sjuksköterska", "Visit to a nurse"), 30,
                     L("Mottagningen, plan 2", "The clinic, floor 2"), NURSE, "from_tomorrow"))),
    DemoUnit("SE2321000099-KA01", "Kardiologmottagningen, Demo sjukhus", "specialist", "Demostad",
             "Sjukhusvägen 1, ingång 3", "123 50", "Demostad", "010-100 20 00", _weekdays("07:30", "16:00"),
             (_visit("arskontroll", L("Årskontroll", "Annual check-up"), 30,
                     L("Hjärtmottagningen, ingång 3", "The cardiology clinic, entrance 3"), NURSE, "from_tomorrow",
                     web=False),)),
    DemoUnit("SE2321000099-HS01", "Hud- och STI-mottagningen", "sti_dermatology", "Älvby", "Torget 2", "234 56",
             "Älvby", "010-100 30 00", _weekdays("09:00", "15:30"),
             (_visit("sti-test", L("Provtagning för könssjukdomar", "Testing for sexually transmitted infections"), 15,
                     L("Hud- och STI-mottagningen", "The dermatology and STI clinic"), L("Barnmorska", "Midwife"),
                     "same_day", cancel_online=False, sensitive=True),)),
    # The region's patient board: complaints addressed to it reach its queue, not the clinic's.
    DemoUnit("SE2321000099-PN01", "Patientnämnden, Region Demo", "patient_board", "Demostad",
             "Regionens hus, Storgatan 1", "123 40", "Demostad", "010-100 90 00", _weekdays("09:00", "15:00")),
    # A second vårdcentral, so a citizen can ask to be listed at another one (listning).
    DemoUnit("SE2321000099-VC02", "Vårdcentralen Älvby", "primary_care", "Älvby", "Älvbyvägen 10", "234 52",
             "Älvby", "010-100 40 00", _weekdays("08:00", "17:00")),
)  # fmt: skip


@dataclass(frozen=True)
class DemoCitizen:
    sub: str  # chosen on the test provider's login page
    description: str
    given_name: str
    family_name: str
    birth_date: date
    serial: str
    coordination: bool = False
    protected_identity: bool = False
    login_removed: bool = False
    guardian_subs: tuple[str, ...] = ()
    address: Address | None = field(default=None)

    @property
    def personnummer(self) -> str:
        return with_check_digit(self.birth_date, self.serial, coordination=self.coordination)

    def claims(self) -> dict[str, str]:
        claim = COORDINATION_CLAIM if self.coordination else PNR_CLAIM
        return {claim: self.personnummer, "given_name": self.given_name, "family_name": self.family_name,
                "name": f"{self.given_name} {self.family_name}"}  # fmt: skip


def _years_before(today: date, years: int, days: int) -> date:
    """A birth date that makes someone `years` old for a good while yet (their birthday is `days` ago)."""
    anchor = today - timedelta(days=days)
    try:
        return anchor.replace(year=anchor.year - years)
    except ValueError:  # 29 February in a year without one
        return anchor.replace(year=anchor.year - years, day=28)


def citizens(today: date) -> list[DemoCitizen]:
    home = Address("Storgatan 12", "123 45", "Demostad")
    return [
        DemoCitizen("anna", "vuxen / adult", "Anna", "Andersson", date(1985, 4, 12), "238", address=home),
        DemoCitizen("karin", "vårdnadshavare till Elsa (9), Olle (14) och Sigge (6, skyddad) / guardian",
                    "Karin", "Lind", date(1984, 7, 3), "242", address=Address("Lindvägen 3", "123 46", "Demostad")),
        DemoCitizen("elsa", "barn 9 år / child aged 9", "Elsa", "Lind", _years_before(today, 9, 40), "250",
                    guardian_subs=("karin",), address=Address("Lindvägen 3", "123 46", "Demostad")),
        DemoCitizen("olle", "barn 14 år / child aged 14", "Olle", "Lind", _years_before(today, 14, 20), "271",
                    guardian_subs=("karin",), address=Address("Lindvägen 3", "123 46", "Demostad")),
        DemoCitizen("sigge", "barn 6 år, skyddad identitet / child aged 6, protected identity", "Sigge", "Lind",
                    _years_before(today, 6, 90), "291", protected_identity=True, guardian_subs=("karin",)),
        DemoCitizen("maja", "skyddad identitet / protected identity", "Maja", "Berg", date(1992, 11, 30), "264",
                    protected_identity=True),
        DemoCitizen("ali", "samordningsnummer / coordination number", "Ali", "Hassan", date(1990, 2, 14), "273",
                    coordination=True, address=Address("Hamngatan 7", "234 50", "Älvby")),
        DemoCitizen("gunnar", "över 100 år (personnummer med +) / aged 100+", "Gunnar", "Ek", date(1923, 5, 30),
                    "212", address=Address("Äldrevägen 1", "234 51", "Älvby")),
        DemoCitizen("per", "inloggning borttagen / login removed", "Per", "Holm", date(1970, 9, 9), "235", login_removed=True,
                    address=home),
    ]  # fmt: skip


@dataclass(frozen=True)
class DemoStaff:
    sub: str
    name: str
    title: str  # befattning in HSA
    hsa_id: str
    roles: tuple[tuple[str, StaffRole], ...]

    def claims(self, hsa_claim: str) -> dict[str, str]:
        given, family = self.name.split(" ", 1)
        return {hsa_claim: self.hsa_id, "given_name": given, "family_name": family, "name": self.name,
                "title": self.title}  # fmt: skip


VC, KA, HS, PN, VC2 = (u.hsa_id for u in UNITS)
# Where the region's supplier of förbrukningsartiklar delivers for pickup (utlämningsställen).
CONSUMABLE_PICKUP_POINTS = ("Apoteket Norrby, Norrbygatan 2, 123 45 Demostad",
                            "ICA Nära Älvby, Torget 6, 234 56 Älvby")
STAFF = (
    DemoStaff("eva", "Eva Nilsson", "Sjuksköterska", "SE2321000099-P001",
              ((VC, StaffRole.CASE_RECEIVER), (KA, StaffRole.CASE_HANDLER))),
    DemoStaff("johan", "Johan Ström", "Verksamhetschef", "SE2321000099-P002",
              ((VC, StaffRole.LOCAL_ADMIN), (VC, StaffRole.PERMISSION_ADMIN), (VC, StaffRole.JOURNAL_ADMIN))),
    DemoStaff("lisa", "Lisa Åberg", "Barnmorska", "SE2321000099-P003",
              ((HS, StaffRole.CASE_HANDLER), (HS, StaffRole.REVIEWER))),
    DemoStaff("rut", "Rut Regional", "Regional administratör", "SE2321000099-P004", ((REGION_HSA_ID, StaffRole.REGIONAL_ADMIN),)),
    DemoStaff("nils", "Nils Utan-Roll", "Undersköterska", "SE2321000099-P005", ()),  # proves the "no role" refusal
    DemoStaff("alva", "Alva Granqvist", "Logggranskare", "SE2321000099-P006",
              ((REGION_HSA_ID, StaffRole.REGION_AUDITOR),)),
    DemoStaff("petra", "Petra Sund", "Handläggare, patientnämnden", "SE2321000099-P007",
              ((PN, StaffRole.CASE_HANDLER), (PN, StaffRole.PERMISSION_ADMIN))),
)  # fmt: skip
# In the region's staff directory (HSA) but with no role yet: chosen when a role is granted.
DIRECTORY_ONLY = (
    ("SE2321000099-P009", "Nora Ny", "Sjuksköterska"),
    ("SE2321000099-P010", "Omar Lund", "Distriktsläkare"),
)


def _remove_login(ports: Ports, citizen_id: str, now: datetime) -> None:
    """Per's login was removed by Johan (verksamhetschef at Vårdcentralen Norrby), as care decides it."""
    from chalicelib.domain.events import Kind, event
    from chalicelib.domain.restrictions import Restriction, RestrictionKind

    if ports.restrictions.of(citizen_id).login_removed():
        return
    removed = Restriction(citizen_id, RestrictionKind.LOGIN_REMOVED, None, None, "Demo: risk att patienten far illa",
                          "SE2321000099-P002", "Johan Ström", VC, now)  # fmt: skip
    ports.restrictions.decide(removed, event(Kind.LOGIN_REMOVED, f"person#{citizen_id}", now, citizen_id=citizen_id,
                                             restriction_key=removed.key, decided_at_unit=VC, door="staff"))


def seed(ports: Ports, now: datetime, today: date) -> str:
    """Load Region Demo into the tables; returns the demo care system's integration key."""
    for u in UNITS:
        ports.units.save(
            UnitRecord(
                u.hsa_id, name=u.name, kind=u.kind, municipality=u.municipality, street=u.street,
                postal_code=u.postal_code, city=u.city, phone=u.phone,
                opening_hours=[OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in u.hours],
                visit_types=[visit_type_map(v) for v in u.visit_types],
            )
        )  # fmt: skip
    people = citizens(today)
    by_sub = {c.sub: c for c in people}
    # Guardians before their children, so the register can link them.
    for c in sorted(people, key=lambda c: bool(c.guardian_subs)):
        ports.register.upsert(
            PersonUpdate(
                personnummer=parse(c.personnummer, today),
                given_name=c.given_name,
                family_name=c.family_name,
                protected_identity=c.protected_identity,
                address=c.address,
                guardians=tuple(parse(by_sub[g].personnummer, today) for g in c.guardian_subs),
            )
        )
        if c.login_removed:
            _remove_login(ports, ports.identities.find_or_create(parse(c.personnummer, today)), now)
    for s in STAFF:
        for unit, role in s.roles:
            ports.staff.grant(s.hsa_id, s.name, RoleAtUnit(unit, role), now)
        ports.staff_profiles.from_region_directory(s.hsa_id, s.name, s.title, now)
    for hsa_id, name, title in DIRECTORY_ONLY:
        ports.staff_profiles.from_region_directory(hsa_id, name, title, now)
    seed_self_tests(ports)
    ports.consumable_orders.set_pickup_points(list(CONSUMABLE_PICKUP_POINTS))
    seed_cases(ports)
    seed_forms(ports, now)
    return integration.issue_key(
        ports,
        system_name="Demo journalsystem",
        allowed_units={u.hsa_id for u in UNITS if u.kind != "patient_board"},
        scopes={"population-register", "messages", "appointments", "lab-results", "print", "forms", "consumables",
                "listing"},
        now=now,
        region_wide=True,  # the region's own journal system, which also feeds the register
    )


SELF_TESTS = (
    TestOffer(
        test_id="klamydia-gonorre", name=L("Klamydia och gonorré", "Chlamydia and gonorrhoea"), min_age=15,
        analyses=("chlamydia", "gonorrhoea"),
        instructions=L("Ta provet enligt instruktionen i kitet. Skicka provet samma dag som du tar det.",
                       "Take the sample as the instructions in the kit say. Send it the same day you take it."),
        deliveries=(Delivery.HOME, Delivery.PICKUP, Delivery.OTHER),
        pickup_points=("Apoteket Norrby, Norrbygatan 2", "Ungdomsmottagningen Älvby, Torget 4"),
        follow_up_unit="SE2321000099-HS01",
        texts={
            "negative": L("Ditt prov visar ingen klamydia och ingen gonorré.\n\nTänk på att testa dig igen om du "
                          "haft oskyddat sex med en ny partner.",
                          "Your sample shows no chlamydia and no gonorrhoea.\n\nRemember to test again if you have "
                          "had unprotected sex with a new partner."),
            "positive": L("Ditt prov visar att du har en sexuellt överförbar infektion. Den går att behandla.\n\n"
                          "Visa den bifogade remissen på en STI-mottagning, ungdomsmottagning eller vårdcentral. "
                          "Hud- och STI-mottagningen kontaktar dig också för uppföljning och smittspårning.",
                          "Your sample shows that you have a sexually transmitted infection. It can be treated.\n\n"
                          "Show the attached referral at an STI clinic, a youth clinic or a health centre. The "
                          "dermatology and STI clinic will also contact you for follow-up and contact tracing."),
            "technical_error": L("Provet kunde inte analyseras. Beställ ett nytt kit så får du ett nytt svar.",
                                 "The sample could not be analysed. Order a new kit and you will get a new result."),
        },
    ),
    TestOffer(
        test_id="covid-pcr", name=L("Covid-19 (PCR)", "Covid-19 (PCR)"), min_age=None, analyses=("sars_cov_2",),
        instructions=L("Ta provet från näsan enligt instruktionen i kitet.",
                       "Take the sample from your nose as the instructions in the kit say."),
        deliveries=(Delivery.HOME, Delivery.PICKUP), pickup_points=("Vårdcentralen Norrby, entrén",),
        follow_up_unit="SE2321000099-VC01",
        texts={
            "negative": L("Ditt prov visar ingen covid-19.", "Your sample shows no covid-19."),
            "positive": L("Ditt prov visar covid-19. Stanna hemma tills du är feberfri och känner dig frisk.",
                          "Your sample shows covid-19. Stay at home until you have no fever and feel well."),
            "technical_error": L("Provet kunde inte analyseras. Beställ ett nytt kit.",
                                 "The sample could not be analysed. Order a new kit."),
        },
    ),
)  # fmt: skip
# In the box outside the STI clinic: random, check-digited numbers as a region makes them
# (domain/self_tests.new_kit_number), drawn from a fixed seed so the demo can name them.
PICKUP_KITS = tuple(new_kit_number(random.Random(f"region-demo-kit-{n}").randrange) for n in range(10))


def _q(question_id: str, label: L, kind: str = "text", *, required: bool = True,
       options: tuple[L, ...] = ()) -> Question:  # fmt: skip
    return Question(question_id, label, QuestionKind(kind), required, options)


TERMS = L("Ärendet läses av mottagningens personal under dagtid. Använd inte tjänsten om du behöver vård "
          "akut – ring 112 eller 1177.",
          "The case is read by the clinic's staff during the day. Do not use the service if you need care "
          "urgently – call 112 or 1177.")  # fmt: skip
# A complaint may go to the region's patient board instead of the clinic: its terms say who reads it.
COMPLAINT_TERMS = L("Dina synpunkter läses av mottagningen, eller av regionens patientnämnd om du väljer den. "
                    "Använd inte tjänsten om du behöver vård akut – ring 112 eller 1177.",
                    "Your feedback is read by the clinic, or by the region's patient board if you choose it. "
                    "Do not use the service if you need care urgently – call 112 or 1177.")  # fmt: skip
# Every case type in Swedish and English (L: Swedish, English), but for Egenremiss: it is Swedish only,
# so the demo shows a reader in English the Swedish where the region wrote no English. An option's
# Swedish is what an answer stores ("patientnämnden" sends a complaint to the patient board).
CENTRAL_CASE_TYPES = (
    CaseType("skicka-meddelande", L("Skicka meddelande", "Send a message"),
             L("Ställ en fråga till mottagningen.", "Ask the clinic a question."), TERMS,
             (_q("fraga", L("Din fråga", "Your question")),
              _q("kontakt", L("Önskad kontaktperson", "Who you would like to be contacted by"), required=False))),
    CaseType("fornya-recept", L("Förnya recept", "Renew a prescription"),
             L("Be om att få ett recept förnyat.", "Ask for a prescription to be renewed."), TERMS,
             (_q("lakemedel", L("Läkemedlets namn", "The medicine's name")),
              _q("styrka", L("Styrka, till exempel 50 mg", "Strength, for example 50 mg")),
              _q("form", L("Form", "Form"), "choice", options=(
                  L("tablett", "tablet"), L("kapsel", "capsule"), L("kräm", "cream"), L("flytande", "liquid"),
                  L("annat", "other"))),
              _q("ovrigt", L("Något mer mottagningen behöver veta?", "Anything else the clinic needs to know?"),
                 required=False))),
    CaseType("bestall-journalkopia", L("Beställ journalkopia", "Order a copy of your medical record"),
             L("Beställ en kopia av din journal.", "Order a copy of your record."), TERMS,
             (_q("period", L("Vilken period gäller det?", "Which period is it about?")),)),
    CaseType("begar-intyg", L("Begär intyg", "Request a certificate"),
             L("Be om ett intyg, till exempel körkortsintyg.",
               "Ask for a certificate, for example a medical certificate for a driving licence."), TERMS,
             (_q("typ", L("Vilket intyg?", "Which certificate?")),
              _q("nytt", L("Är det en förnyelse?", "Is it a renewal?"), "yes_no"),
              _q("utfardare", L("Vem utfärdade det tidigare intyget?", "Who issued the previous certificate?"),
                 required=False),
              _q("giltigt", L("Hur länge gäller det nuvarande intyget?", "Until when is the current certificate valid?"),
                 "date", required=False))),
    CaseType("fornya-hjalpmedel", L("Förnya hjälpmedel", "Renew an aid"),
             L("Beställ mer av ett hjälpmedel du redan har.", "Order more of an aid you already have."), TERMS,
             (_q("produkt", L("Produkt", "Product")), _q("storlek", L("Storlek", "Size"), required=False),
              _q("per-dag", L("Antal per dag", "Number a day"), "number"),
              _q("forpackningar", L("Antal förpackningar", "Number of packages"), "number"))),
    CaseType("forlang-sjukskrivning", L("Förläng sjukskrivning", "Extend sick leave"),
             L("Be om förlängd sjukskrivning.", "Ask for your sick leave to be extended."), TERMS,
             (_q("varfor", L("Hur mår du och varför behöver du förlängning?",
                             "How are you, and why do you need an extension?")),
              _q("till", L("Till vilket datum?", "Until which date?"), "date"))),
    CaseType("egenremiss", L("Egenremiss"), L("Skicka en remiss till mottagningen själv."), L(TERMS.sv),
             (_q("besvar", L("Vad söker du för?")),)),
    CaseType("bestall-tid", L("Beställ tid", "Request an appointment"),
             L("Be om en tid (där webbokning saknas).", "Ask for an appointment (where there is no online booking)."),
             TERMS, (_q("vad", L("Vad gäller besöket?", "What is the visit about?")),
                     _q("nar", L("När passar det dig?", "When would suit you?"), required=False))),
    CaseType("av-omboka-tid", L("Av- eller omboka tid", "Cancel or change an appointment"),
             L("Ändra en tid (där webbokning saknas).", "Change an appointment (where there is no online booking)."),
             TERMS, (_q("tid", L("Vilken tid gäller det?", "Which appointment is it about?")),
                     _q("vill", L("Vad vill du?", "What would you like to do?"), "choice",
                        options=(L("avboka", "cancel it"), L("omboka", "change it"))))),
    CaseType("synpunkter", L("Lämna synpunkter och klagomål", "Give feedback or make a complaint"),
             L("Berätta vad du tycker om vården.", "Tell us what you think of your care."), COMPLAINT_TERMS,
             (_q("till", L("Till vem?", "To whom?"), "choice",
                 options=(L("mottagningen", "the clinic"), L("patientnämnden", "the patient board"))),
              _q("synpunkt", L("Dina synpunkter", "Your feedback")))),
)  # fmt: skip


def seed_cases(ports: Ports) -> None:
    for case_type in CENTRAL_CASE_TYPES:
        ports.case_types.save("central", case_type)
    for unit in ("SE2321000099-VC01", "SE2321000099-KA01"):
        ports.units.set_case_types(unit, {t.case_type_id for t in CENTRAL_CASE_TYPES}, set())


FORMS_DIR = Path(__file__).with_name("forms")
# Which demo units use which demo forms (the dispatch module's subscriptions).
FORM_UNITS = {"SE2321000099-VC01": ("halsosamtal-50", "mabra"), "SE2321000099-KA01": ("halsodeklaration",)}


def seed_forms(ports: Ports, now: datetime) -> None:
    """The demo region's forms, each under its file's name, and the units that use them."""
    for path in sorted(FORMS_DIR.glob("*.json")):
        resource, form = forms.read_questionnaire(path.read_text(encoding="utf-8"))
        forms.publish(ports, resource, form, "region-demo", now, new_id=path.stem)
    for unit, form_ids in FORM_UNITS.items():
        for form_id in form_ids:
            if ports.form_definitions.current(form_id) is not None:
                ports.unit_forms.subscribe(UnitFormRecord(unit, form_id, subscribed_at=now, subscribed_by="region-demo"),
                                           event(Kind.FORM_SUBSCRIBED, f"unit_form#{unit}#{form_id}", now,
                                                 unit_hsa_id=unit, form_id=form_id))  # fmt: skip


def seed_self_tests(ports: Ports) -> None:
    for offer in SELF_TESTS:
        ports.test_catalogue.save(offer)
    for number in PICKUP_KITS:
        ports.kits.put(number, "klamydia-gonorre")


# Whose the demo times are in the Tidbok (resurs: a practitioner or a room): per unit and visit type,
# (resource, first time, how many back to back) on every weekday.
SHIFTS = {
    ("SE2321000099-VC01", "provtagning"): (("Provtagningsrum 1", time(9, 0), 6), ("Provtagningsrum 2", time(9, 0), 6)),
    ("SE2321000099-VC01", "sjukskoterska"): (("Eva Nilsson", time(9, 0), 6), ("Nora Ny", time(13, 0), 4)),
    ("SE2321000099-KA01", "arskontroll"): (("Hjärtmottagningen, rum 3", time(9, 0), 6),),
    ("SE2321000099-HS01", "sti-test"): (("Lisa Åberg", time(9, 0), 6),),
}  # fmt: skip


def seed_slots(ports: Ports, today: date, days: int = 14) -> int:
    """Free slots on weekdays for the next two weeks, each a practitioner's or a room's (the local stack;
    tests publish their own). The cardiology clinic's are for invited citizens only."""
    count = 0
    for unit in UNITS:
        for visit_type in unit.visit_types:
            shifts = SHIFTS.get((unit.hsa_id, visit_type.visit_type_id), ((None, time(9, 0), 6),))
            for offset in range(days):
                day = today + timedelta(days=offset)
                if day.weekday() >= 5:
                    continue
                n = 0  # the first shift keeps the ids the demo slots always had
                for resource, first, how_many in shifts:
                    start = datetime.combine(day, first, tzinfo=STOCKHOLM)
                    for k in range(how_many):
                        begins = start + timedelta(minutes=k * visit_type.duration_minutes)
                        visibility = Visibility.INVITED if not visit_type.web_booking else Visibility.WEB
                        count += ports.slots.publish(Slot(
                            f"{unit.hsa_id}/demo-{visit_type.visit_type_id}-{day.isoformat()}-{n}", unit.hsa_id,
                            visit_type.visit_type_id, begins.astimezone(timezone.utc),
                            (begins + timedelta(minutes=visit_type.duration_minutes)).astimezone(timezone.utc),
                            visit_type.place.sv, visit_type.practitioner_role.sv, visibility, source=STAFF_PUBLISHED,
                            resource=resource))  # fmt: skip
                        n += 1
    return count


def verify_sender(address: str) -> None:
    """SES sends only from a verified identity; in AWS the stack creates the domain identity."""
    import botocore.session

    botocore.session.get_session().create_client("sesv2").create_email_identity(EmailIdentity=address)
