"""Region Demo: the units, people and staff that the local stack and the tests use.

Children's birth dates are set relative to today (Stockholm), so the 9-year-old stays 9 and the
14-year-old stays 14 whenever this runs. Every personnummer is computed with a valid check digit
from a birth date and a serial; none belongs to a real person's record here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from chalicelib.adapters.booking import visit_type_map
from chalicelib.adapters.tables import OpeningHours, UnitRecord
from chalicelib.domain.booking import PRESETS, Slot, VisitType, Visibility
from chalicelib.domain.booking import STAFF as STAFF_PUBLISHED
from chalicelib.domain.clock import STOCKHOLM
from chalicelib.domain.cases import CaseType, Question, QuestionKind
from chalicelib.domain.self_tests import Delivery, TestOffer, new_kit_number
from chalicelib.domain.people import Address, PersonUpdate
from chalicelib.domain.personnummer import parse, with_check_digit
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.services import integration
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


def _visit(visit_type_id: str, name: str, minutes: int, place: str, role: str, preset: str, *, web: bool = True,
           cancel_online: bool = True, sensitive: bool = False) -> VisitType:  # fmt: skip
    return VisitType(visit_type_id, name, minutes, place, role, replace(PRESETS[preset], cancel_online=cancel_online),
                     web_booking=web, sensitive=sensitive)  # fmt: skip


UNITS = (
    DemoUnit("SE2321000099-VC01", "Vårdcentralen Norrby", "primary_care", "Demostad", "Norrbygatan 4", "123 45",
             "Demostad", "010-100 10 00", _weekdays("08:00", "17:00", friday_closes="16:00"),
             (_visit("provtagning", "Provtagning", 15, "Provtagningen, plan 1", "Biomedicinsk analytiker", "same_day"),
              _visit("sjukskoterska", "Besök hos sjuksköterska", 30, "Mottagningen, plan 2", "Sjuksköterska",
                     "from_tomorrow"))),
    DemoUnit("SE2321000099-KA01", "Kardiologmottagningen, Demo sjukhus", "specialist", "Demostad",
             "Sjukhusvägen 1, ingång 3", "123 50", "Demostad", "010-100 20 00", _weekdays("07:30", "16:00"),
             (_visit("arskontroll", "Årskontroll", 30, "Hjärtmottagningen, ingång 3", "Sjuksköterska",
                     "from_tomorrow", web=False),)),
    DemoUnit("SE2321000099-HS01", "Hud- och STI-mottagningen", "sti_dermatology", "Älvby", "Torget 2", "234 56",
             "Älvby", "010-100 30 00", _weekdays("09:00", "15:30"),
             (_visit("sti-test", "Provtagning för könssjukdomar", 15, "Hud- och STI-mottagningen", "Barnmorska",
                     "same_day", cancel_online=False, sensitive=True),)),
    # The region's patient board: complaints addressed to it reach its queue, not the clinic's.
    DemoUnit("SE2321000099-PN01", "Patientnämnden, Region Demo", "patient_board", "Demostad",
             "Regionens hus, Storgatan 1", "123 40", "Demostad", "010-100 90 00", _weekdays("09:00", "15:00")),
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


VC, KA, HS, PN = (u.hsa_id for u in UNITS)
STAFF = (
    DemoStaff("eva", "Eva Nilsson", "Sjuksköterska", "SE2321000099-P001",
              ((VC, StaffRole.CASE_RECEIVER), (KA, StaffRole.CASE_HANDLER))),
    DemoStaff("johan", "Johan Ström", "Verksamhetschef", "SE2321000099-P002",
              ((VC, StaffRole.LOCAL_ADMIN), (VC, StaffRole.PERMISSION_ADMIN))),
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
            citizen_id = ports.identities.find_or_create(parse(c.personnummer, today))
            ports.accounts.set_login_removed(citizen_id, True)
    for s in STAFF:
        for unit, role in s.roles:
            ports.staff.grant(s.hsa_id, s.name, RoleAtUnit(unit, role), now)
        ports.staff_profiles.from_region_directory(s.hsa_id, s.name, s.title, now)
    for hsa_id, name, title in DIRECTORY_ONLY:
        ports.staff_profiles.from_region_directory(hsa_id, name, title, now)
    seed_self_tests(ports)
    seed_cases(ports)
    return integration.issue_key(
        ports,
        system_name="Demo journalsystem",
        allowed_units={u.hsa_id for u in UNITS if u.kind != "patient_board"},
        scopes={"population-register", "messages", "appointments", "lab-results", "print"},
        now=now,
        region_wide=True,  # the region's own journal system, which also feeds the register
    )


SELF_TESTS = (
    TestOffer(
        test_id="klamydia-gonorre", name="Klamydia och gonorré", min_age=15, analyses=("chlamydia", "gonorrhoea"),
        instructions="Ta provet enligt instruktionen i kitet. Skicka provet samma dag som du tar det.",
        deliveries=(Delivery.HOME, Delivery.PICKUP, Delivery.OTHER),
        pickup_points=("Apoteket Norrby, Norrbygatan 2", "Ungdomsmottagningen Älvby, Torget 4"),
        follow_up_unit="SE2321000099-HS01",
        texts={
            "negative": "Ditt prov visar ingen klamydia och ingen gonorré.\n\nTänk på att testa dig igen om du haft "
                        "oskyddat sex med en ny partner.",
            "positive": "Ditt prov visar att du har en sexuellt överförbar infektion. Den går att behandla.\n\n"
                        "Visa den bifogade remissen på en STI-mottagning, ungdomsmottagning eller vårdcentral. "
                        "Hud- och STI-mottagningen kontaktar dig också för uppföljning och smittspårning.",
            "technical_error": "Provet kunde inte analyseras. Beställ ett nytt kit så får du ett nytt svar.",
        },
    ),
    TestOffer(
        test_id="covid-pcr", name="Covid-19 (PCR)", min_age=None, analyses=("sars_cov_2",),
        instructions="Ta provet från näsan enligt instruktionen i kitet.",
        deliveries=(Delivery.HOME, Delivery.PICKUP), pickup_points=("Vårdcentralen Norrby, entrén",),
        follow_up_unit="SE2321000099-VC01",
        texts={
            "negative": "Ditt prov visar ingen covid-19.",
            "positive": "Ditt prov visar covid-19. Stanna hemma tills du är feberfri och känner dig frisk.",
            "technical_error": "Provet kunde inte analyseras. Beställ ett nytt kit.",
        },
    ),
)  # fmt: skip
# In the box outside the STI clinic: random, check-digited numbers as a region makes them
# (domain/self_tests.new_kit_number), drawn from a fixed seed so the demo can name them.
PICKUP_KITS = tuple(new_kit_number(random.Random(f"region-demo-kit-{n}").randrange) for n in range(10))


def _q(question_id: str, label: str, kind: str = "text", *, required: bool = True,
       options: tuple[str, ...] = ()) -> Question:  # fmt: skip
    return Question(question_id, label, QuestionKind(kind), required, options)


TERMS = ("Ärendet läses av mottagningens personal under dagtid. Använd inte tjänsten om du behöver vård "
         "akut – ring 112 eller 1177.")  # fmt: skip
# A complaint may go to the region's patient board instead of the clinic: its terms say who reads it.
COMPLAINT_TERMS = ("Dina synpunkter läses av mottagningen, eller av regionens patientnämnd om du väljer den. "
                   "Använd inte tjänsten om du behöver vård akut – ring 112 eller 1177.")  # fmt: skip
CENTRAL_CASE_TYPES = (
    CaseType("skicka-meddelande", "Skicka meddelande", "Ställ en fråga till mottagningen.", TERMS,
             (_q("fraga", "Din fråga"), _q("kontakt", "Önskad kontaktperson", required=False))),
    CaseType("fornya-recept", "Förnya recept", "Be om att få ett recept förnyat.", TERMS,
             (_q("lakemedel", "Läkemedlets namn"), _q("styrka", "Styrka, till exempel 50 mg"),
              _q("form", "Form", "choice", options=("tablett", "kapsel", "kräm", "flytande", "annat")),
              _q("ovrigt", "Något mer mottagningen behöver veta?", required=False))),
    CaseType("bestall-journalkopia", "Beställ journalkopia", "Beställ en kopia av din journal.", TERMS,
             (_q("period", "Vilken period gäller det?"),)),
    CaseType("begar-intyg", "Begär intyg", "Be om ett intyg, till exempel körkortsintyg.", TERMS,
             (_q("typ", "Vilket intyg?"), _q("nytt", "Är det en förnyelse?", "yes_no"),
              _q("utfardare", "Vem utfärdade det tidigare intyget?", required=False),
              _q("giltigt", "Hur länge gäller det nuvarande intyget?", "date", required=False))),
    CaseType("fornya-hjalpmedel", "Förnya hjälpmedel", "Beställ mer av ett hjälpmedel du redan har.", TERMS,
             (_q("produkt", "Produkt"), _q("storlek", "Storlek", required=False),
              _q("per-dag", "Antal per dag", "number"), _q("forpackningar", "Antal förpackningar", "number"))),
    CaseType("forlang-sjukskrivning", "Förläng sjukskrivning", "Be om förlängd sjukskrivning.", TERMS,
             (_q("varfor", "Hur mår du och varför behöver du förlängning?"), _q("till", "Till vilket datum?", "date"))),
    CaseType("egenremiss", "Egenremiss", "Skicka en remiss till mottagningen själv.", TERMS,
             (_q("besvar", "Vad söker du för?"),)),
    CaseType("bestall-tid", "Beställ tid", "Be om en tid (där webbokning saknas).", TERMS,
             (_q("vad", "Vad gäller besöket?"), _q("nar", "När passar det dig?", required=False))),
    CaseType("av-omboka-tid", "Av- eller omboka tid", "Ändra en tid (där webbokning saknas).", TERMS,
             (_q("tid", "Vilken tid gäller det?"), _q("vill", "Vad vill du?", "choice", options=("avboka", "omboka")))),
    CaseType("synpunkter", "Lämna synpunkter och klagomål", "Berätta vad du tycker om vården.", COMPLAINT_TERMS,
             (_q("till", "Till vem?", "choice", options=("mottagningen", "patientnämnden")),
              _q("synpunkt", "Dina synpunkter"))),
)  # fmt: skip


def seed_cases(ports: Ports) -> None:
    for case_type in CENTRAL_CASE_TYPES:
        ports.case_types.save("central", case_type)
    for unit in ("SE2321000099-VC01", "SE2321000099-KA01"):
        ports.units.set_case_types(unit, {t.case_type_id for t in CENTRAL_CASE_TYPES}, set())


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
                            visit_type.place, visit_type.practitioner_role, visibility, source=STAFF_PUBLISHED,
                            resource=resource))  # fmt: skip
                        n += 1
    return count


def verify_sender(address: str) -> None:
    """SES sends only from a verified identity; in AWS the stack creates the domain identity."""
    import botocore.session

    botocore.session.get_session().create_client("sesv2").create_email_identity(EmailIdentity=address)
