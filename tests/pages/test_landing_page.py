"""Where a user lands after login: sales people on the dashboard, office staff on the first
page they may open (the address book until the workbench exists)."""

import pytest

from core.i18n import t
from tests.pages.harness import app_as

pytestmark = pytest.mark.usefixtures("org_store")


@pytest.mark.parametrize("username", ["admin", "manager", "sales1"])
def test_sales_people_land_on_the_dashboard(username):
    at = app_as(username)
    assert not at.exception
    assert [title.value for title in at.title] == [t("dashboard.title")]


def test_office_staff_land_on_the_address_book():
    at = app_as("office")
    assert not at.exception
    assert [title.value for title in at.title] == [t("address_book.title")]
