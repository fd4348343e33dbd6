"""Roles in the staff tool: the menu shows what the role may use; a unit's permission admin grants the
daily-work roles to people chosen from the staff directory; only the regional admin appoints local and
permission admins; a unit never loses its last permission admin, not even to two removals at once."""

from __future__ import annotations

import threading

from chalicelib.bootstrap import ports
from chalicelib.domain.roles import RoleAtUnit, StaffRole
from chalicelib.errors import AppError
from chalicelib.services import permissions
from chalicelib.services.principals import StaffPrincipal

VC, KA = "SE2321000099-VC01", "SE2321000099-KA01"
REGION = "SE2321000099-R000"
JOHAN, NORA, NILS = "SE2321000099-P002", "SE2321000099-P009", "SE2321000099-P005"
RUT = StaffPrincipal("SE2321000099-P004", "Rut Regional", (RoleAtUnit(REGION, StaffRole.REGIONAL_ADMIN),), "x")


def _staff(region, sub: str):
    browser = region.browser()
    browser.login(sub, "staff")
    return browser


def _nav(page: str) -> str:
    start = page.index('class="staff-nav"')
    return page[start:page.index("</nav>", start)]


def test_the_menu_shows_what_the_role_may_use(region):
    # Given a nurse, a unit admin, the regional admin and the auditor
    menus = {sub: _nav(_staff(region, sub).page("/staff")) for sub in ("eva", "johan", "rut", "alva")}
    # Then each sees the pages of their roles and no others
    assert "Ärenden" in menus["eva"] and "Behörigheter" not in menus["eva"] and "Ärendetyper" not in menus["eva"]
    assert "Behörigheter" in menus["johan"] and "Ärendeinställningar" in menus["johan"]
    assert "Vårdsystemens nycklar" not in menus["johan"] and "Vårdsystemens nycklar" in menus["rut"]
    assert "Ärendetyper" in menus["rut"] and ">Ärenden<" not in menus["rut"] and "Tidbok" not in menus["rut"]
    assert "Loggutdrag" in menus["alva"] and "Loggutdrag" not in menus["rut"] and "Ärenden<" not in menus["alva"]
    assert all("Mina inställningar" in m for m in menus.values())


def test_a_permission_admin_grants_daily_work_roles_to_someone_chosen_from_the_directory(region):
    # Given the health centre's permission admin
    johan = _staff(region, "johan")
    csrf = johan.csrf_token("/api/v1/staff/me")
    # When he searches the staff directory by family name
    page = johan.page(f"/staff/permissions?unit={VC}&q=ny")
    # Then the new nurse from the region's directory is there with her HSA-id, and the choices are his to give
    assert "Nora Ny, Sjuksköterska" in page and NORA in page
    assert '<option value="case_handler">' in page and '<option value="local_admin">' not in page
    # When he grants her a role (the name is the directory's, whatever the form says)
    grant = {"csrf_token": csrf, "unit": VC, "hsa_id": NORA, "role": "case_handler", "name": "Typed Name"}
    assert johan.post_form("/staff/permissions/grant", grant).status_code == 303
    # Then she has it, under her directory name
    assert ports().staff.roles_of(NORA) == [RoleAtUnit(VC, StaffRole.CASE_HANDLER)]
    assert [a.staff_name for a in ports().staff.at_unit(VC) if a.staff_hsa_id == NORA] == ["Nora Ny"]
    # And someone not in the directory cannot be granted anything; nor can he appoint admins
    unknown = johan.post_form("/staff/permissions/grant", {**grant, "hsa_id": "SE2321000099-P999"})
    assert unknown.status_code == 400 and ports().staff.roles_of("SE2321000099-P999") == []
    for role in ("local_admin", "permission_admin"):
        refused = johan.post_form("/staff/permissions/grant", {**grant, "role": role})
        assert refused.status_code == 403 and "regionens administratör" in refused.body.decode()
    # Nor at another unit
    assert johan.post_form("/staff/permissions/grant", {**grant, "unit": KA}).status_code == 403


def test_an_address_with_a_notice_the_page_does_not_know_shows_the_page_without_it(region):
    # Given the admin pages' addresses carry the notice to show after a change (?done=granted)
    johan = _staff(region, "johan")
    assert "Behörigheten är given." in johan.page(f"/staff/permissions?unit={VC}&done=granted")
    # When one is typed, shortened or old, the page is shown without a notice, not a server error
    for path in (f"/staff/permissions?unit={VC}&done=x", "/staff/case-settings?done=x", "/staff/case-types?done=x"):
        response = johan.get(path)
        assert response.status_code == 200 and 'class="notice"' not in response.body.decode(), path


def test_someone_new_who_logs_in_once_is_in_the_directory(region):
    # Given someone with no role yet, who tries to log in and is refused
    assert region.browser().login("nils", "staff").status_code == 403
    # Then the permission admin finds him in the directory, by family name or HSA-id
    johan = _staff(region, "johan")
    assert NILS in johan.page(f"/staff/permissions?unit={VC}&q=utan")
    assert "Nils Utan-Roll" in johan.page(f"/staff/permissions?unit={VC}&q={NILS}")
    # or by name as people write it, given name first
    assert NILS in johan.page(f"/staff/permissions?unit={VC}&q=Nils+Utan-Roll")
    assert NILS in johan.page(f"/staff/permissions?unit={VC}&q=utan-roll+nils")
    assert "Ingen i personalkatalogen" in johan.page(f"/staff/permissions?unit={VC}&q=zzz")


def test_only_the_regional_admin_appoints_admins_and_the_last_permission_admin_stays(region):
    # Given the regional admin and a unit whose only permission admin is Johan
    rut = _staff(region, "rut")
    csrf = rut.csrf_token("/api/v1/staff/me")
    remove_johan = {"csrf_token": csrf, "unit": VC, "hsa_id": JOHAN, "role": "permission_admin"}
    # When she removes Johan's permission admin role
    refused = rut.post_form("/staff/permissions/revoke", remove_johan)
    # Then it is refused with the reason, and he keeps it
    assert refused.status_code == 409 and "minst en behörighetsadministratör" in refused.body.decode()
    assert RoleAtUnit(VC, StaffRole.PERMISSION_ADMIN) in ports().staff.roles_of(JOHAN)
    # When she first appoints the new nurse as permission admin (and local admin), then removes Johan
    for role in ("permission_admin", "local_admin"):
        assert rut.post_form("/staff/permissions/grant", {**remove_johan, "hsa_id": NORA, "role": role}
                             ).status_code == 303  # fmt: skip
    assert rut.post_form("/staff/permissions/revoke", remove_johan).status_code == 303
    # Then Nora is the unit's permission admin, Johan is not, and Nora is now the last one
    assert RoleAtUnit(VC, StaffRole.PERMISSION_ADMIN) not in ports().staff.roles_of(JOHAN)
    last = rut.post_form("/staff/permissions/revoke", {**remove_johan, "hsa_id": NORA})
    assert last.status_code == 409
    # And Johan, no longer permission admin, has no permission pages
    johan = _staff(region, "johan")
    assert "Behörigheter" not in _nav(johan.page("/staff"))
    assert "inte behörighetsadministratör" in johan.page(f"/staff/permissions?unit={VC}")


def test_a_permission_admin_cannot_remove_a_permission_admin_not_even_herself(region):
    # Given the patient board's only permission admin
    petra = _staff(region, "petra")
    fields = {"csrf_token": petra.csrf_token("/api/v1/staff/me"), "unit": "SE2321000099-PN01",
              "hsa_id": "SE2321000099-P007", "role": "permission_admin"}  # fmt: skip
    # When she removes her own permission admin role
    refused = petra.post_form("/staff/permissions/revoke", fields)
    # Then it is refused: only the regional admin changes a unit's admins
    assert refused.status_code == 403
    assert RoleAtUnit("SE2321000099-PN01", StaffRole.PERMISSION_ADMIN) in ports().staff.roles_of("SE2321000099-P007")


def test_two_removals_at_once_never_leave_a_unit_without_a_permission_admin(region):
    # Given a unit with two permission admins
    permissions.grant(ports(), RUT, VC, {"hsa_id": NORA, "role": "permission_admin"}, region_now())
    barrier, outcomes = threading.Barrier(2), []

    def remove(hsa_id: str) -> None:
        barrier.wait()
        try:
            permissions.revoke(ports(), RUT, VC, {"hsa_id": hsa_id, "role": "permission_admin"})
            outcomes.append("removed")
        except AppError as error:
            outcomes.append(error.code)

    # When both are removed at the same moment
    threads = [threading.Thread(target=remove, args=(h,)) for h in (JOHAN, NORA)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then exactly one removal wins and the unit keeps one permission admin
    assert sorted(outcomes) == ["last_permission_admin", "removed"]
    left = [a.staff_hsa_id for a in ports().staff.at_unit(VC) if a.role == "permission_admin"]
    assert len(left) == 1


def region_now():
    from chalicelib.domain import clock

    return clock.utc_now()
