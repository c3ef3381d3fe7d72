"""Text merge: concurrent splices converge and keep every inserted character."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from board.model import Context, Refusal, apply, load_template, new_board, textops
from board.model.state import from_wire
from board.model.text import apply_text, compose, rebase, replace_all, splice, transform
from board.model.visibility import enrich

ALPHABET = "abcdefghé🙂 "


@st.composite
def text_and_ops(draw: st.DrawFn, n: int = 2):
    text = draw(st.text(alphabet=ALPHABET, max_size=20))
    ops = []
    for _ in range(n):
        at = draw(st.integers(0, len(text)))
        delete = draw(st.integers(0, len(text) - at))
        insert = draw(st.text(alphabet="XYZ", max_size=4))
        ops.append((at, delete, insert))
    return text, ops


@settings(max_examples=500, deadline=None)
@given(text_and_ops())
def test_two_concurrent_splices_converge_whatever_the_order(case) -> None:
    text, ((a1, d1, i1), (a2, d2, i2)) = case
    a, b = splice(len(text), a1, d1, i1), splice(len(text), a2, d2, i2)
    a2_, b2_ = transform(a, b)
    left = apply_text(apply_text(text, a), b2_)
    right = apply_text(apply_text(text, b), a2_)
    assert left == right
    for inserted in (i1, i2):  # nobody's keystrokes are lost
        assert all(left.count(ch) >= inserted.count(ch) for ch in set(inserted))


@settings(max_examples=300, deadline=None)
@given(text_and_ops(n=5), st.permutations(range(5)))
def test_a_server_ordering_of_many_clients_keeps_every_insert(case, order) -> None:
    """Five clients edit the same text at the same base; the server applies them in some
    order, rebasing each over those applied before it."""
    text, raw = case
    applied: list = []
    result = text
    for index in order:
        at, delete, insert = raw[index]
        op = rebase(splice(len(text), at, delete, insert), applied)
        result = apply_text(result, op)
        applied.append(op)
    inserted = "".join(raw[i][2] for i in range(5))
    for ch in set(inserted):
        assert result.count(ch) >= inserted.count(ch)


def test_typing_at_the_same_spot_keeps_both_and_orders_by_server() -> None:
    text = "Budget"
    first = splice(6, 6, 0, " 2027")
    second = splice(6, 6, 0, " draft")
    _, second_rebased = transform(first, second)
    assert apply_text(apply_text(text, first), second_rebased) == "Budget 2027 draft"


def test_deleting_a_word_someone_is_typing_into_keeps_their_letters() -> None:
    text = "the old plan"
    delete_old = splice(12, 4, 4, "")  # "the plan"
    type_inside = splice(12, 6, 0, "LD")  # "the olLDd plan"
    _, rebased = transform(delete_old, type_inside)
    assert apply_text(apply_text(text, delete_old), rebased) == "the LDplan"


def test_compose_equals_applying_one_after_the_other() -> None:
    text = "abc"
    a = splice(3, 1, 1, "XY")
    b = splice(4, 0, 2, "")
    assert apply_text(text, compose(a, b)) == apply_text(apply_text(text, a), b)
    assert apply_text("old", replace_all("old", "new text")) == "new text"


def _serverapply(state, op, by):
    ctx = Context(at="t", by=by)
    stored = enrich(state, op, ctx)
    result = apply(state, stored, ctx)
    assert not isinstance(result, Refusal), result
    return stored


def test_two_people_typing_into_one_card_both_keep_every_keystroke() -> None:
    s = new_board(load_template(), id="b", workshop="w", title="T")
    _serverapply(
        s,
        {
            "kind": "card.add",
            "card": {"id": "c", "section": "problem_vision", "type": "idea", "text": "Pilot"},
        },
        "p1",
    )
    base = s.seq
    replica = s.clone()
    a = {
        "kind": "text.splice",
        "card": "c",
        "base": base,
        "at": 5,
        "delete": 0,
        "insert": " one corridor",
    }
    b = {
        "kind": "text.splice",
        "card": "c",
        "base": base,
        "at": 0,
        "delete": 0,
        "insert": "Fund a ",
    }
    stored = [_serverapply(s, a, "p1"), _serverapply(s, b, "p2")]
    assert s.cards["c"]["text"] == "Fund a Pilot one corridor"
    for op in stored:  # a replica applies the stored (rebased) changes and agrees
        apply(replica, op, Context(at="t", by="x"))
    assert replica.cards["c"]["text"] == s.cards["c"]["text"]


def test_a_splice_rebases_over_a_whole_text_replacement_and_brief_fields_merge_too() -> None:
    s = new_board(load_template(), id="b", workshop="w", title="T")
    _serverapply(s, {"kind": "board.update", "set": {"brief": {"goals": "Cut delays"}}}, "p1")
    base = s.seq
    _serverapply(
        s,
        {
            "kind": "text.splice",
            "brief": "goals",
            "base": base,
            "at": 10,
            "delete": 0,
            "insert": " by 20%",
        },
        "p1",
    )
    _serverapply(
        s,
        {
            "kind": "text.splice",
            "brief": "goals",
            "base": base,
            "at": 0,
            "delete": 3,
            "insert": "Halve",
        },
        "p2",
    )
    assert s.brief["goals"] == "Halve delays by 20%"
    stale = {"kind": "text.splice", "card": "nope", "base": 0, "at": 0, "delete": 0, "insert": "x"}
    assert apply(s, stale, Context(at="t", by="p")).code == "not_found"


def test_a_fields_history_stays_within_its_bytes_and_an_older_base_is_refused() -> None:
    """Issue 12, item 6: 2,000 keystrokes into one card keep at most LOG_BYTES of history;
    a splice based before what is kept is refused as the docs say, while recent typing and
    other fields still merge."""
    s = new_board(load_template(), id="b", workshop="w", title="T")
    card = {"id": "c", "section": "problem_vision", "type": "idea", "text": "x"}
    _serverapply(s, {"kind": "card.add", "card": card}, "p1")
    other = {**card, "id": "d", "text": "Other card"}
    _serverapply(s, {"kind": "card.add", "card": other}, "p2")
    early = s.seq
    for n in range(2000):
        at = len(s.cards["c"]["text"])
        if at >= 400:  # keep the card under its 500 characters: delete a word, go on
            op = {"kind": "text.splice", "card": "c", "base": s.seq, "at": 0, "delete": 5}
            _serverapply(s, {**op, "insert": ""}, "p1")
        else:
            op = {"kind": "text.splice", "card": "c", "base": s.seq, "at": at, "delete": 0}
            _serverapply(s, {**op, "insert": "é" if n % 7 else "word "}, "p1")
    log = s.text_log["card:c:text"]
    assert sum(textops.change_bytes(c) for _, c in log) <= textops.LOG_BYTES
    assert len(log) < 2000 and s.text_floors["card:c:text"] > early
    stale = {"kind": "text.splice", "card": "c", "base": early, "at": 0, "delete": 0}
    ctx = Context(at="t", by="p2")
    refused = apply(s, enrich(s, {**stale, "insert": "lost?"}, ctx), ctx)
    assert isinstance(refused, Refusal) and refused.code == "conflict"
    assert "too long ago" in refused.message
    # a splice based just above the floor still merges over everything kept since
    recent = s.text_floors["card:c:text"]
    before = s.cards["c"]["text"]
    _serverapply(s, {**stale, "base": recent, "insert": "!"}, "p2")
    assert len(s.cards["c"]["text"]) == len(before) + 1
    # the other card's history is its own: a splice based as early as `early` merges there
    _serverapply(s, {**stale, "card": "d", "insert": "The "}, "p2")
    assert s.cards["d"]["text"] == "The Other card"
    # a checkpoint carries the floors, and one from before the byte budget gets one made up
    again = from_wire(s.template, s.to_checkpoint())
    assert again.text_floors == s.text_floors and again.text_log == s.text_log
    old = s.to_checkpoint()
    del old["text_floors"]
    old["text_log"]["card:c:text"] = [[s.seq - 1000 + k, [1]] for k in range(1000)]
    assert from_wire(s.template, old).text_floors["card:c:text"] == s.seq - 1001
