"""Use cases of workflows: list the rules in force, add one, change one, switch one off or
on, and remove one (a default rule removed is restored to its default)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from chalicelib.domain.errors import InvalidRequest, MissingSetup, NotFound
from chalicelib.domain.model import Business
from chalicelib.domain.refusals import ProfileChanged, RetryableConflict
from chalicelib.domain.workflows import (
    MAX_RULES,
    WorkflowRule,
    check_rule,
    default_rules,
    effective_rules,
)
from chalicelib.ports.message_settings import MessageSettings
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.ids import new_id
from chalicelib.services.retry import retry


class Workflows:
    def __init__(self, uow: UnitOfWorkFactory, settings: MessageSettings) -> None:
        self._uow = uow
        self._settings = settings

    def rules(self, business_id: str) -> list[WorkflowRule]:
        """Every rule in force: the defaults (as the business changed them) and its own."""
        return effective_rules(self._business(business_id).workflows)

    def add(self, business_id: str, rule: WorkflowRule) -> WorkflowRule:
        added = replace(rule, rule_id=new_id())

        def adding(business: Business) -> tuple[list[WorkflowRule], WorkflowRule]:
            self._check(business, added)
            saved = [*business.workflows, added]
            if len(saved) > MAX_RULES:
                raise InvalidRequest("workflows", f"at most {MAX_RULES} rules can be kept")
            return saved, added

        return self._save(business_id, adding)

    def change(self, business_id: str, rule_id: str, rule: WorkflowRule) -> WorkflowRule:
        """Replace a rule; a default rule keeps its trigger (add a rule for another one)."""
        changed = replace(rule, rule_id=rule_id)

        def changing(business: Business) -> tuple[list[WorkflowRule], WorkflowRule]:
            current = _find(business, rule_id)
            if current.is_default and rule.trigger is not current.trigger:
                raise InvalidRequest(
                    "trigger",
                    f"a default rule keeps its trigger ({current.trigger.value}); "
                    "add a rule for another trigger",
                )
            self._check(business, changed)
            return _put(business.workflows, changed), changed

        return self._save(business_id, changing)

    def switch(self, business_id: str, rule_id: str, *, enabled: bool) -> WorkflowRule:
        def switching(business: Business) -> tuple[list[WorkflowRule], WorkflowRule]:
            switched = replace(_find(business, rule_id), enabled=enabled)
            return _put(business.workflows, switched), switched

        return self._save(business_id, switching)

    def remove(self, business_id: str, rule_id: str) -> WorkflowRule | None:
        """Remove the business's own rule; a default rule is restored to its default (and
        returned), since every type keeps one."""

        def removing(business: Business) -> tuple[list[WorkflowRule], WorkflowRule]:
            removed = _find(business, rule_id)
            return [rule for rule in business.workflows if rule.rule_id != rule_id], removed

        removed = self._save(business_id, removing)
        if removed.is_default:
            return next(rule for rule in default_rules() if rule.rule_id == rule_id)
        return None

    def _save(
        self,
        business_id: str,
        change: Callable[[Business], tuple[list[WorkflowRule], WorkflowRule]],
    ) -> WorkflowRule:
        """Reads the profile, changes its rules and saves them, again from a fresh read
        when another change came first (another staff member's, say); returns the rule the
        change names."""

        def attempt() -> WorkflowRule:
            business = self._business(business_id)
            rules, rule = change(business)
            self._settings.save_rules(business, rules)
            return rule

        return retry(
            attempt,
            on=(RetryableConflict, ProfileChanged),
            gave_up="the workflows kept changing; try again",
        )

    def _business(self, business_id: str) -> Business:
        with self._uow() as uow:
            business = uow.catalogue.get_business(business_id)
        if business is None:
            raise MissingSetup("the business has no profile yet: PUT /staff/business first")
        return business

    def _check(self, business: Business, rule: WorkflowRule) -> None:
        check_rule(rule)
        if rule.scope.services:
            with self._uow() as uow:
                found = uow.catalogue.get_services(business.business_id, set(rule.scope.services))
            missing = sorted(rule.scope.services - set(found))
            if missing:
                raise InvalidRequest("scope.services", f"no service {missing[0]!r}")


def _find(business: Business, rule_id: str) -> WorkflowRule:
    for rule in effective_rules(business.workflows):
        if rule.rule_id == rule_id:
            return rule
    raise NotFound(f"no workflow {rule_id!r}")


def _put(saved: tuple[WorkflowRule, ...], changed: WorkflowRule) -> list[WorkflowRule]:
    if any(rule.rule_id == changed.rule_id for rule in saved):
        return [changed if rule.rule_id == changed.rule_id else rule for rule in saved]
    return [*saved, changed]
