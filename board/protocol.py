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


Expect = Annotated[
    dict[str, Scalar] | None,
    Field(
        description="A precondition (docs/undo.md): the values the op expects to find on the "
        "card (a missing field is null; `after` is the card it follows, null when first); if "
        "someone else changed one of them, the op is refused with `conflict`."
    ),
]


class CardUpdate(_Strict):
    kind: Literal["card.update"]
    card: Id
    set: dict[str, Scalar] = Field(description="field -> new value; null clears a type field")
    expect: Expect = None


class CardMove(_Strict):
    kind: Literal["card.move"]
    card: Id
    section: Id
    after: Id | None = None
    expect: Expect = None


class CardDelete(_Strict):
    kind: Literal["card.delete"]
    card: Id
    expect: Expect = None


class CardRestore(_Strict):
    """Bring back a card this person deleted, as it was: same id, place, fields, author and
    comments (undo of a delete). The stored op carries the card under `server`."""

    kind: Literal["card.restore"]
    card: Id


class BoardSet(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    initiative: Annotated[str, Field(max_length=300)] | None = None
    theme: Annotated[str, Field(max_length=100)] | None = None
    brief: dict[str, Text | None] | None = None


class BoardUpdate(_Strict):
    kind: Literal["board.update"]
    set: BoardSet


class SignedBy(_Strict):
    by: Id | None = Field(description="who signed the section off; null: nobody")


class SectionLock(_Strict):
    """Sign a section off as agreed (locked for everyone but the facilitator), or reopen it."""

    kind: Literal["section.lock"]
    section: Id
    locked: bool
    expect: SignedBy | None = Field(
        default=None, description="A precondition (docs/undo.md): who the sign-off must be by."
    )


class CommentBody(_Strict):
    id: Id
    card: Id
    text: Annotated[str, Field(min_length=1, max_length=1000)]


class CommentAdd(_Strict):
    kind: Literal["comment.add"]
    comment: CommentBody


class CommentUpdate(_Strict):
    kind: Literal["comment.update"]
    comment: Id
    text: Annotated[str, Field(min_length=1, max_length=1000)]


class CommentResolve(_Strict):
    kind: Literal["comment.resolve"]
    comment: Id
    resolved: bool = True


class CommentDelete(_Strict):
    kind: Literal["comment.delete"]
    comment: Id


class RoundBody(_Strict):
    id: Id
    title: Annotated[str, Field(min_length=1, max_length=200)] = "Dot vote"
    dots: Annotated[int, Field(ge=1, le=20)]
    sections: list[Id] | None = None
    blind: bool = False


class VoteOpen(_Strict):
    kind: Literal["vote.open"]
    round: RoundBody


class VotePlace(_Strict):
    kind: Literal["vote.place"]
    round: Id
    card: Id


class VoteRemove(_Strict):
    kind: Literal["vote.remove"]
    round: Id
    card: Id


class VoteClose(_Strict):
    kind: Literal["vote.close"]
    round: Id


class VoteReveal(_Strict):
    kind: Literal["vote.reveal"]
    round: Id


class PrivateStart(_Strict):
    kind: Literal["private.start"]


class PrivateReveal(_Strict):
    kind: Literal["private.reveal"]


class StageSpotlight(_Strict):
    """What the room looks at: the overview, one board, one section of a board, or one section
    of every board side by side (`cross`, a report-out: no board)."""

    kind: Literal["stage.spotlight"]
    mode: Literal["overview", "board", "section", "cross"]
    board: Id | None = None
    section: Id | None = None


class TimerStart(_Strict):
    kind: Literal["timer.start"]
    seconds: Annotated[int, Field(ge=1, le=86400)] | None = None
    label: Annotated[str, Field(max_length=200)] | None = None


class TimerPause(_Strict):
    kind: Literal["timer.pause"]


class TimerExtend(_Strict):
    kind: Literal["timer.extend"]
    seconds: Annotated[int, Field(ge=-86400, le=86400)]


class TimerReset(_Strict):
    kind: Literal["timer.reset"]


class AgendaStart(_Strict):
    """Start an agenda item: the spotlight moves there and its timer starts."""

    kind: Literal["agenda.start"]
    day: Annotated[int, Field(ge=1, le=3)]
    index: Annotated[int, Field(ge=0, lt=50)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    board: Id | None = None
    section: Id | None = None
    minutes: Annotated[int, Field(ge=1, le=600)] | None = None


class TextSplice(_Strict):
    """Type into a card's text (or another text field), or a brief field: at `at` in the text
    as of seq `base`, delete `delete` characters and insert `insert`. Concurrent splices are
    merged character by character (docs/text-merge.md)."""

    kind: Literal["text.splice"]
    card: Id | None = None
    field: Id = "text"
    brief: Id | None = None
    base: Annotated[int, Field(ge=0)]
    at: Annotated[int, Field(ge=0, le=4000)]
    delete: Annotated[int, Field(ge=0, le=4000)]
    insert: Annotated[str, Field(max_length=4000)]


Op = Annotated[
    CardAdd
    | CardUpdate
    | CardMove
    | CardDelete
    | CardRestore
    | BoardUpdate
    | SectionLock
    | CommentAdd
    | CommentUpdate
    | CommentResolve
    | CommentDelete
    | VoteOpen
    | VotePlace
    | VoteRemove
    | VoteClose
    | VoteReveal
    | PrivateStart
    | PrivateReveal
    | StageSpotlight
    | TimerStart
    | TimerPause
    | TimerExtend
    | TimerReset
    | AgendaStart
    | TextSplice,
    Field(discriminator="kind"),
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


class Ping(_Strict):
    """A client's keep-alive: the server answers `pong` to this client only, so a browser
    (which cannot see protocol pings) can tell a dead connection from a quiet room."""

    type: Literal["ping"]


ClientFrame = Annotated[Hello | OpFrame | PresenceFrame | Ping, Field(discriminator="type")]


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


class Comment(_Strict):
    id: str
    card: str
    text: str
    author: str
    created_at: str
    updated_at: str
    resolved: bool
    resolved_by: str | None


class Dot(_Strict):
    by: str
    role: str | None = Field(description="null while hidden from this viewer")
    card: str | None = Field(description="null while hidden from this viewer")


class Round(_Strict):
    id: str
    title: str
    dots: int
    sections: list[str] | None
    blind: bool
    status: Literal["open", "closed"]
    revealed: bool
    opened_by: str
    opened_at: str
    closed_at: str | None
    votes: list[Dot]


class Signed(_Strict):
    by: str
    at: str


class BoardState(_Strict):
    id: str
    workshop: str
    kind: Literal["board"]
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
    comments: dict[str, Comment]
    rounds: dict[str, Round]
    locks: dict[str, Signed]
    private: Signed | None


class Spotlight(_Strict):
    mode: Literal["overview", "board", "section", "cross"]
    board: str | None
    section: str | None
    by: str | None = None
    at: str | None = None


class Timer(_Strict):
    status: Literal["idle", "running", "paused"]
    duration_ms: int
    remaining_ms: int
    ends_at: str | None = Field(description="server time the countdown reaches 0, when running")
    label: str


class AgendaNow(_Strict):
    day: int
    index: int
    title: str
    started_at: str


class StageBody(_Strict):
    spotlight: Spotlight
    timer: Timer
    agenda: AgendaNow | None


class StageState(_Strict):
    """The workshop's stage (its own socket, like a board): spotlight, timer, agenda item."""

    id: str
    workshop: str
    kind: Literal["stage"]
    seq: Annotated[int, Field(ge=0)]
    stage: StageBody


class OpEvent(_Strict):
    type: Literal["op"]
    seq: Annotated[int, Field(ge=1)]
    id: Id
    client: str
    by: str
    at: str
    op: dict[str, Any] = Field(
        description="The op as applied (op.schema.json), possibly with a `server` object the "
        "server added, or a placeholder with `hidden: true` for content this viewer may not "
        "see yet (blind votes, private writing)."
    )


class OpsFrame(_Strict):
    type: Literal["ops"]
    ops: list[OpEvent]


class Welcome(_Strict):
    type: Literal["welcome"]
    board: str
    seq: int
    now: str = Field(description="server time, to show the shared timer right on every screen")
    me: Me
    state: BoardState | StageState | None = None
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


class Pong(_Strict):
    type: Literal["pong"]


ServerFrame = Annotated[
    Welcome | OpEvent | OpsFrame | Error | Presence | Pong, Field(discriminator="type")
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


def parse_client_frame(data: Any) -> Hello | OpFrame | PresenceFrame | Ping:
    """Validate an already JSON-decoded client frame, or raise BadFrame with a clear sentence."""
    if not isinstance(data, dict):
        raise BadFrame("Each frame must be a JSON object with a 'type'.")
    if data.get("type") not in ("hello", "op", "presence", "ping"):
        raise BadFrame("Unknown frame type; a client sends hello, op, presence or ping.")
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
