"""Two staff members changing the business's profile at the same moment: both changes are
kept, whichever is saved first (each save checks the profile is still as it was read, and
reads again when it is not)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.dynamodb.message_settings import MessageSettingsStore
from chalicelib.adapters.dynamodb.unit_of_work import DynamoUnitOfWorkFactory
from chalicelib.bootstrap import build_services
from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import Business
from chalicelib.domain.workflows import RuleChannel, WorkflowRule
from chalicelib.ports.unit_of_work import UnitOfWork
from chalicelib.services.catalogue import Catalogue
from chalicelib.services.workflows import Workflows
from chalicelib.settings import get_settings
from tests.support.aws import mocked_aws
from tests.support.fakes import FakeClock
from tests.support.faults import PassThroughUnitOfWork, Patched

SALON = Business(business_id="salon", name="Salon", time_zone="Europe/Oslo", language="en")


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    with mocked_aws():
        yield


def desk_rule(name: str) -> WorkflowRule:
    return WorkflowRule(
        rule_id="",
        name=name,
        trigger=MessageType.BOOKING_CONFIRMED,
        channel=RuleChannel.EMAIL,
        addresses=(f"{name.lower()}@example.com",),
    )


class RacedSettings(MessageSettingsStore):
    """Lets another staff member's change land between reading the profile and saving the
    rules made from it, once."""

    def __init__(self, meanwhile: Callable[[], object]) -> None:
        super().__init__(get_settings())
        self._meanwhile: Callable[[], object] | None = meanwhile

    def save_rules(self, business: Business, rules: Sequence[WorkflowRule]) -> None:
        meanwhile, self._meanwhile = self._meanwhile, None
        if meanwhile is not None:
            meanwhile()
        super().save_rules(business, rules)


class Raced:
    """Lets another staff member's change land between reading the profile and saving it,
    once: a unit of work factory."""

    def __init__(self, meanwhile: Callable[[], object]) -> None:
        self._meanwhile: Callable[[], object] | None = meanwhile

    def __call__(self) -> UnitOfWork:
        uow = PassThroughUnitOfWork(DynamoUnitOfWorkFactory(get_settings())())

        def save_business(business: Business) -> None:
            meanwhile, self._meanwhile = self._meanwhile, None
            if meanwhile is not None:
                meanwhile()
            uow.inner.catalogue.save_business(business)

        uow.catalogue = Patched(uow.inner.catalogue, save_business=save_business)
        return uow


def plain_workflows() -> Workflows:
    return build_services(get_settings()).workflows


def set_up() -> Catalogue:
    catalogue = build_services(get_settings(), clock=FakeClock(datetime.now(UTC))).catalogue
    catalogue.set_up_business(SALON)
    return catalogue


def own_rule_names() -> list[str]:
    rules = plain_workflows().rules("salon")
    return sorted(rule.name for rule in rules if not rule.is_default)


def test_two_workflows_added_at_the_same_moment_are_both_kept() -> None:
    set_up()
    other = plain_workflows()
    raced = build_services(
        get_settings(),
        message_settings=RacedSettings(lambda: other.add("salon", desk_rule("Desk"))),
    ).workflows

    raced.add("salon", desk_rule("Office"))

    assert own_rule_names() == ["Desk", "Office"]


def test_a_workflow_switched_off_while_another_is_added_stays_off() -> None:
    set_up()
    added = plain_workflows().add("salon", desk_rule("Desk"))
    raced = build_services(
        get_settings(),
        message_settings=RacedSettings(
            lambda: plain_workflows().switch("salon", added.rule_id, enabled=False)
        ),
    ).workflows

    raced.add("salon", desk_rule("Office"))

    rules = {rule.name: rule for rule in plain_workflows().rules("salon")}
    assert {"Desk", "Office"} <= set(rules)
    assert rules["Desk"].enabled is False


def test_saving_the_business_details_keeps_a_workflow_added_meanwhile() -> None:
    set_up()
    raced = build_services(
        get_settings(),
        clock=FakeClock(datetime.now(UTC)),
        uow=Raced(lambda: plain_workflows().add("salon", desk_rule("Desk"))),
    ).catalogue

    saved = raced.set_up_business(
        Business(business_id="salon", name="Salon Lys", time_zone="Europe/Oslo", language="en")
    )

    assert saved.name == "Salon Lys"
    assert own_rule_names() == ["Desk"]
    business = DynamoUnitOfWorkFactory(get_settings())().catalogue.get_business("salon")
    assert business is not None and business.name == "Salon Lys"
