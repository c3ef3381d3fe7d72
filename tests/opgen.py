"""Random but valid-looking board ops for property tests (some will be refused, on purpose)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from board.model import load_template

T = load_template()
SECTIONS = list(T.section_ids)
CARD_IDS = [f"c{i}" for i in range(8)]
TYPES = ["idea", "barrier", "action", "fact"]

texts = st.text(alphabet="abcxyz <>&\"'é", min_size=1, max_size=12).filter(str.strip)
card_ids = st.sampled_from(CARD_IDS)
afters = st.one_of(st.none(), card_ids)

type_fields: dict[str, Any] = {
    "idea": st.just({}),
    "barrier": st.fixed_dictionaries({}, optional={"severity": st.integers(1, 3)}),
    "action": st.fixed_dictionaries(
        {}, optional={"horizon": st.sampled_from(["d30", "d60", "d90", "later"])}
    ),
    "fact": st.fixed_dictionaries({}, optional={"verified": st.booleans()}),
}


@st.composite
def card_add(draw: st.DrawFn) -> dict[str, Any]:
    card_type = draw(st.sampled_from(TYPES))
    card = {
        "id": draw(card_ids),
        "section": draw(st.sampled_from(SECTIONS)),
        "type": card_type,
        "text": draw(texts),
        **draw(type_fields[card_type]),
    }
    return {"kind": "card.add", "card": card, "after": draw(afters)}


ops = st.one_of(
    card_add(),
    st.builds(lambda c, t: {"kind": "card.update", "card": c, "set": {"text": t}}, card_ids, texts),
    st.builds(
        lambda c, t: {"kind": "card.update", "card": c, "set": {"type": t}},
        card_ids,
        st.sampled_from(TYPES),
    ),
    st.builds(
        lambda c, s, a: {"kind": "card.move", "card": c, "section": s, "after": a},
        card_ids,
        st.sampled_from(SECTIONS),
        afters,
    ),
    st.builds(lambda c: {"kind": "card.delete", "card": c}, card_ids),
    st.builds(lambda t: {"kind": "board.update", "set": {"title": t}}, texts),
)
