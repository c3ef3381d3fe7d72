"""The wire format (PROTOCOL.md) as pydantic models: the single source of schemas/.

One discriminated union per direction. The socket layer validates every client frame against
`ClientFrame`; the reducer in board.model then checks what only the board can know.
Server frames are encoded by hand in board.codec for speed; `ServerFrame` documents them and
the tests check real server output against it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from board.errors import ErrorCode

Id = Annotated[str, Field(min_length=1, max_length=64)]
Scalar = str | int | float | bool | None
Text = Annotated[str, Field(max_length=4000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# Operations -------------------------------------------------------------------------------


class CardBody(BaseModel):
    """A new card: the core fields, plus the type fields of CANVAS.md for its type."""

    model_config = ConfigDict(extra="allow", strict=True)
    __pydantic_extra__: dict[str, Scalar]

    id: Id
    section: Id
    type: Id
    text: Annotated[str, Field(min_length=1, max_length=500)]


class CardAdd(_Strict):
    kind: Literal["card.add"]
    card: CardBody
    after: Id | None = None


class CardUpdate(_Strict):
    kind: Literal["card.update"]
    card: Id
    set: dict[str, Scalar] = Field(description="field -> new value; null clears a type field")


class CardMove(_Strict):
    kind: Literal["card.move"]
    card: Id
    section: Id
    after: Id | None = None


class CardDelete(_Strict):
    kind: Literal["card.delete"]
    card: Id


class BoardSet(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    initiative: Annotated[str, Field(max_length=300)] | None = None
    theme: Annotated[str, Field(max_length=100)] | None = None
    brief: dict[str, Text | None] | None = None


class BoardUpdate(_Strict):
    kind: Literal["board.update"]
    set: BoardSet


Op = Annotated[
    CardAdd | CardUpdate | CardMove | CardDelete | BoardUpdate, Field(discriminator="kind")
]


# Client -> server --------------------------------------------------------------------------


class Hello(_Strict):
    type: Literal["hello"]
    client: Annotated[str, Field(min_length=1, max_length=64)]
    since: Annotated[int, Field(ge=0)] | None = None
    token: Annotated[str, Field(max_length=256)] | None = None


class OpFrame(_Strict):
    type: Literal["op"]
    id: Id
    op: Op


class Focus(_Strict):
    section: Id
    card: Id | None = None


class PresenceFrame(_Strict):
    type: Literal["presence"]
    focus: Focus | None = None


ClientFrame = Annotated[Hello | OpFrame | PresenceFrame, Field(discriminator="type")]


# Server -> client --------------------------------------------------------------------------


class Me(_Strict):
    id: str
    name: str
    role: Literal["facilitator", "mayor", "expert", "observer"]
    city: str


class Section(_Strict):
    id: str
    title: str
    prompt: str
    cards: list[str]


class Card(BaseModel):
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Scalar]

    id: str
    section: str
    type: str
    text: str
    author: str
    created_at: str
    updated_at: str
    updated_by: str


class TemplateRef(_Strict):
    id: str
    version: int


class BoardState(_Strict):
    id: str
    workshop: str
    template: TemplateRef
    title: str
    city: str
    initiative: str
    theme: str
    mayor: str | None
    brief: dict[str, str]
    seq: Annotated[int, Field(ge=0)]
    sections: list[Section]
    cards: dict[str, Card]


class OpEvent(_Strict):
    type: Literal["op"]
    seq: Annotated[int, Field(ge=1)]
    id: Id
    client: str
    by: str
    at: str
    op: Op


class OpsFrame(_Strict):
    type: Literal["ops"]
    ops: list[OpEvent]


class Welcome(_Strict):
    type: Literal["welcome"]
    board: str
    seq: int
    me: Me
    state: BoardState | None = None
    ops: list[OpEvent] | None = None


class Error(_Strict):
    type: Literal["error"]
    id: str | None
    code: Annotated[ErrorCode, Field(strict=False)]
    message: str


class Online(_Strict):
    id: str
    name: str
    role: str
    city: str
    focus: Focus | None


class Presence(_Strict):
    type: Literal["presence"]
    online: list[Online]


ServerFrame = Annotated[
    Welcome | OpEvent | OpsFrame | Error | Presence, Field(discriminator="type")
]


class WorkshopRef(_Strict):
    id: str
    title: str


class SnapshotMeta(_Strict):
    id: str
    board: str
    seq: int
    label: str
    kind: str
    day: int | None
    taken_by: str | None
    taken_at: str
    hash: str


class BoardExport(_Strict):
    """A board as exported to JSON, and as `import` accepts it."""

    format: Literal["brickboard.board"]
    version: Literal[1]
    exported_at: str
    workshop: WorkshopRef
    snapshot: SnapshotMeta | None
    board: BoardState


CLIENT_FRAME: TypeAdapter[Any] = TypeAdapter(ClientFrame)
SERVER_FRAME: TypeAdapter[Any] = TypeAdapter(ServerFrame)
BOARD_STATE: TypeAdapter[BoardState] = TypeAdapter(BoardState)


class BadFrame(Exception):
    """A client frame that does not fit the protocol; `message` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_client_frame(data: Any) -> Hello | OpFrame | PresenceFrame:
    """Validate an already JSON-decoded client frame, or raise BadFrame with a clear sentence."""
    if not isinstance(data, dict):
        raise BadFrame("Each frame must be a JSON object with a 'type'.")
    if data.get("type") not in ("hello", "op", "presence"):
        raise BadFrame("Unknown frame type; a client sends hello, op or presence.")
    try:
        return CLIENT_FRAME.validate_python(data)
    except ValidationError as exc:
        raise BadFrame(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """The first validation problem as one sentence: where, and what was expected."""
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in err["loc"])
    return (
        f"Invalid frame at '{where}': {err['msg']}." if where else f"Invalid frame: {err['msg']}."
    )
