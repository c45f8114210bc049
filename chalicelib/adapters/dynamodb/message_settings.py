"""Where a business's workflow rules and own message texts are kept, in the catalogue table.

Rules are a list on the business's profile item: booking, cancelling and the refill read
that item anyway, so rules cost them nothing. Texts are items of their own beside the
profile (`TEMPLATE#<type>#<channel>#<language>`, all of them one Query); the profile keeps
each text's current version, so a message can name the text it should be rendered with
without another read.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.keys import business_key
from chalicelib.adapters.dynamodb.models import (
    BusinessItem,
    CatalogueItem,
    MessageTemplateItem,
    profile_at,
)
from chalicelib.adapters.dynamodb.workflow_mapping import (
    TEMPLATE_PREFIX,
    rules_to_items,
    template_from_item,
    template_sort_key,
    template_to_item,
)
from chalicelib.domain.errors import MissingSetup
from chalicelib.domain.message_texts import CustomTemplate
from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.model import Business
from chalicelib.domain.refusals import RetryableConflict
from chalicelib.domain.workflows import WorkflowRule, template_key
from chalicelib.settings import Settings

NO_PROFILE = "the business has no profile yet: PUT /staff/business first"


class MessageSettingsStore:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _connection(self) -> Connection:
        return Connection(region=self._settings.region)

    def save_rules(self, business: Business, rules: Sequence[WorkflowRule]) -> None:
        """Replace the business's saved rules (an empty list: defaults only), as changed from
        the profile read; RetryableConflict if another change came first."""
        items = rules_to_items(rules)
        action: Any = (
            BusinessItem.workflows.set(items) if items else BusinessItem.workflows.remove()
        )
        try:
            _profile(business.business_id).update(
                actions=[action, BusinessItem.revision.set(business.revision + 1)],
                condition=BusinessItem.pk.exists() & profile_at(business.revision),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise RetryableConflict("the business's profile changed meanwhile") from error
            raise

    def list_templates(self, business_id: str) -> list[CustomTemplate]:
        items = CatalogueItem.query(
            business_key(business_id), CatalogueItem.sk.startswith(TEMPLATE_PREFIX)
        )
        return [template_from_item(i) for i in items if isinstance(i, MessageTemplateItem)]

    def get_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> CustomTemplate | None:
        try:
            item = MessageTemplateItem.get(
                business_key(business_id), template_sort_key(message_type, channel, language)
            )
        except DoesNotExist:
            return None
        return template_from_item(item)

    def save_template(self, template: CustomTemplate) -> None:
        """The text and the profile's note of its version, together."""
        profile = _profile(template.business_id)
        try:
            # A profile written before texts existed has no map to add a version to yet.
            profile.update(
                actions=[BusinessItem.custom_templates.set(BusinessItem.custom_templates | {})],
                condition=BusinessItem.pk.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise MissingSetup(NO_PROFILE) from error
            raise
        key = template_key(template.message_type, template.channel, template.language)
        with TransactWrite(connection=self._connection) as write:
            write.save(template_to_item(template))
            write.update(
                _profile(template.business_id),
                actions=[
                    BusinessItem.custom_templates[key].set(template.version),
                    BusinessItem.revision.add(1),
                ],
                condition=BusinessItem.pk.exists(),
            )

    def delete_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> None:
        """Back to Standby's own text; the profile forgets the version in the same write."""
        key = template_key(message_type, channel, language)
        with TransactWrite(connection=self._connection) as write:
            write.delete(
                MessageTemplateItem(
                    business_key(business_id), template_sort_key(message_type, channel, language)
                )
            )
            write.update(
                _profile(business_id),
                actions=[BusinessItem.custom_templates[key].remove(), BusinessItem.revision.add(1)],
                condition=BusinessItem.custom_templates.exists(),
            )


def _profile(business_id: str) -> BusinessItem:
    return BusinessItem(business_key(business_id), BusinessItem.SORT_KEY)
