"""Strict models of what the Zendesk Support API answers, written from Zendesk's OpenAPI spec.

They check the stand-in's answers: `extra="forbid"` where Zendesk's object is closed (tickets,
users, organizations, ...), open dicts where the spec says `additionalProperties: true`
(audit metadata, via source, user_fields). Types are strict: an id sent as a string fails.

Where real Zendesk answers `null` for a property the spec forgets to mark nullable (a user
without email, `forum_topic_id`, `default_group_id`), the model accepts None.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Zendesk timestamps: ISO-8601, UTC, whole seconds.
Timestamp = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
TicketStatus = Literal["new", "open", "pending", "hold", "solved", "closed"]
TicketPriority = Literal["urgent", "high", "normal", "low"]
TicketType = Literal["problem", "incident", "question", "task"]
FieldValue = str | int | float | bool | list[str] | None


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


# ---- shared pieces ---------------------------------------------------------------------------


class ViaSource(Open):
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    rel: str | None


class Via(Closed):
    channel: str | int
    source: ViaSource | None = None


class CustomFieldValue(Closed):
    id: int
    value: FieldValue


class OffsetPage(Closed):
    next_page: str | None
    previous_page: str | None
    count: int


class CursorMeta(Closed):
    has_more: bool
    after_cursor: str | None
    before_cursor: str | None


class CursorLinks(Closed):
    next: str | None
    prev: str | None


class CursorPage(Closed):
    meta: CursorMeta
    links: CursorLinks


# ---- resources -------------------------------------------------------------------------------


class Ticket(Closed):
    url: str
    id: int
    external_id: str | None
    via: Via
    created_at: Timestamp
    updated_at: Timestamp
    generated_timestamp: int
    type: TicketType | None
    subject: str | None
    raw_subject: str
    description: str
    priority: TicketPriority | None
    status: TicketStatus
    recipient: str | None
    requester_id: int | None
    submitter_id: int | None
    assignee_id: int | None
    organization_id: int | None
    group_id: int | None
    collaborator_ids: list[int]
    follower_ids: list[int]
    email_cc_ids: list[int]
    forum_topic_id: int | None
    problem_id: int | None
    has_incidents: bool
    is_public: bool
    due_at: Timestamp | None
    tags: list[str]
    custom_fields: list[CustomFieldValue]
    satisfaction_rating: dict[str, Any] | None
    sharing_agreement_ids: list[int]
    custom_status_id: int | None
    encoded_id: str
    fields: list[CustomFieldValue]
    followup_ids: list[int]
    ticket_form_id: int | None
    brand_id: int | None
    allow_channelback: bool
    allow_attachments: bool
    from_messaging_channel: bool


class User(Closed):
    id: int
    url: str
    name: str
    email: str | None
    created_at: Timestamp
    updated_at: Timestamp
    time_zone: str
    iana_time_zone: str
    phone: str | None
    shared_phone_number: bool | None
    photo: dict[str, Any] | None
    locale_id: int
    locale: str
    organization_id: int | None
    role: Literal["end-user", "agent", "admin"]
    verified: bool
    external_id: str | None
    tags: list[str]
    alias: str | None
    active: bool
    shared: bool
    shared_agent: bool
    last_login_at: Timestamp | None
    two_factor_auth_enabled: bool | None
    signature: str | None
    details: str | None
    notes: str | None
    role_type: int | None
    custom_role_id: int | None
    moderator: bool
    ticket_restriction: Literal["organization", "groups", "assigned", "requested"] | None
    only_private_comments: bool
    restricted_agent: bool
    suspended: bool
    default_group_id: int | None
    report_csv: bool
    user_fields: dict[str, Any]


class Organization(Closed):
    url: str
    id: int
    name: str
    shared_tickets: bool
    shared_comments: bool
    external_id: str | None
    created_at: Timestamp
    updated_at: Timestamp
    domain_names: list[str]
    details: str | None
    notes: str | None
    group_id: int | None
    tags: list[str]
    organization_fields: dict[str, str | int | float | None] | None


class CustomField(Closed):
    """What ticket fields and organization fields both carry."""

    url: str
    id: int
    title: str
    raw_title: str
    description: str
    raw_description: str
    position: int
    active: bool
    regexp_for_validation: str | None
    tag: str | None
    created_at: Timestamp
    updated_at: Timestamp


class TicketField(CustomField):
    type: str
    required: bool
    collapsed_for_agents: bool
    title_in_portal: str
    raw_title_in_portal: str
    visible_in_portal: bool
    editable_in_portal: bool
    required_in_portal: bool
    removable: bool
    agent_description: str | None
    agent_can_edit: bool
    creator_user_id: int | None
    creator_app_name: str | None


class CustomFieldOption(Closed):
    id: int
    name: str
    raw_name: str
    value: str
    default: bool
    position: int


class OrganizationField(CustomField):
    type: Literal[
        "checkbox", "date", "decimal", "dropdown", "integer", "lookup", "multiselect", "regexp",
        "text", "textarea",
    ]  # fmt: skip
    key: str
    system: bool
    custom_field_options: list[CustomFieldOption] | None = None


# ---- audits ----------------------------------------------------------------------------------

EventValue = str | list[str] | dict[str, Any] | None


class CommentEvent(Closed):
    id: int
    type: Literal["Comment"]
    author_id: int
    body: str
    html_body: str
    plain_body: str
    public: bool
    attachments: list[dict[str, Any]]
    audit_id: int


class ChangeEvent(Closed):
    id: int
    type: Literal["Change"]
    field_name: str
    value: EventValue
    previous_value: EventValue


class CreateEvent(Closed):
    id: int
    type: Literal["Create"]
    field_name: str
    value: EventValue


class EmailCcChangeEvent(Closed):
    id: int
    type: Literal["EmailCcChange"]
    previous_email_ccs: list[str]
    current_email_ccs: list[str]


AuditEvent = Annotated[
    CommentEvent | ChangeEvent | CreateEvent | EmailCcChangeEvent, Field(discriminator="type")
]


class AuditMetadata(Closed):
    system: dict[str, Any]
    custom: dict[str, Any]


class Audit(Closed):
    id: int
    ticket_id: int
    created_at: Timestamp
    author_id: int
    metadata: AuditMetadata
    via: Via
    events: list[AuditEvent]


# ---- responses -------------------------------------------------------------------------------


class TicketResponse(Closed):
    ticket: Ticket
    users: list[User] | None = None
    organizations: list[Organization] | None = None


class TicketUpdateResponse(Closed):
    ticket: Ticket
    audit: Audit


class AuditsOffsetResponse(OffsetPage):
    audits: list[Audit]


class AuditsCursorResponse(CursorPage):
    audits: list[Audit]


class UserResponse(Closed):
    user: User
    organizations: list[Organization] | None = None


class UsersResponse(OffsetPage):
    users: list[User]
    organizations: list[Organization] | None = None


class OrganizationsResponse(OffsetPage):
    organizations: list[Organization]


class OrganizationsCursorResponse(CursorPage):
    organizations: list[Organization]


class OrganizationFieldsResponse(OffsetPage):
    organization_fields: list[OrganizationField]


class TicketFieldResponse(Closed):
    ticket_field: TicketField


# ---- errors ----------------------------------------------------------------------------------


class UnauthorizedError(Closed):
    error: Literal["Couldn't authenticate you"]


class ForbiddenError(Closed):
    error: Literal["Forbidden"]
    description: str


class NotFoundError(Closed):
    error: Literal["RecordNotFound", "InvalidEndpoint"]
    description: str


class UpdateConflictError(Closed):
    error: Literal["UpdateConflict"]
    description: str


class ErrorDetail(Closed):
    description: str
    error: str


class RecordInvalidError(Closed):
    error: Literal["RecordInvalid"]
    description: Literal["Record validation errors"]
    details: dict[str, list[ErrorDetail]]


class BadRequestError(Closed):
    error: str
    description: str


class RateLimitedError(Closed):
    error: Literal["APIRateLimitExceeded"]
    description: str
