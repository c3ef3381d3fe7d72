"""Character-level merge of concurrent text edits: operational transformation of splices.

A text change is a list of components walked left to right over the old text: a positive int
keeps that many characters, a negative int deletes that many, a string inserts itself. A
browser sends one splice (at, delete, insert) against the text it saw at seq `base`; the
server transforms it over every change to the same field applied after `base`, in seq order,
and stores the result. Because every replica applies the same transformed changes in the same
order, all screens end with the same text, and no inserted character is ever dropped: a
concurrent delete removes only characters that existed when it was written.

Lengths count Unicode code points (Python str indexing); the browser counts the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Component = int | str
TextOp = list[Component]


def splice(length: int, at: int, delete: int, insert: str) -> TextOp:
    """The change "at `at`, delete `delete` characters, insert `insert`" on a text of `length`."""
    if not 0 <= at <= length or delete < 0 or at + delete > length:
        raise ValueError("the splice does not fit the text it was written against")
    return normalize([at, -delete, insert, length - at - delete])


def normalize(components: Iterable[Component]) -> TextOp:
    """Drop empty parts and merge neighbours of the same kind; an insert next to a delete is
    put first, so equal changes always have equal components."""
    out: TextOp = []
    for c in components:
        if c == 0 or c == "":
            continue
        if isinstance(c, str):
            if out and isinstance(out[-1], int) and out[-1] < 0:
                deleted = out.pop()
                _push(out, c)
                out.append(deleted)
            else:
                _push(out, c)
        else:
            _push(out, c)
    return out


def _push(out: TextOp, c: Component) -> None:
    if out and _same_kind(out[-1], c):
        out[-1] = out[-1] + c  # type: ignore[operator]
    else:
        out.append(c)


def _same_kind(a: Component, b: Component) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str)
    return (a > 0) == (b > 0)


def base_length(op: TextOp) -> int:
    return sum(abs(c) for c in op if isinstance(c, int))


def target_length(op: TextOp) -> int:
    return sum(c if isinstance(c, int) and c > 0 else len(c) if isinstance(c, str) else 0
               for c in op)  # fmt: skip


def apply_text(text: str, op: TextOp) -> str:
    if base_length(op) != len(text):
        raise ValueError("the change was written for a text of another length")
    out, i = [], 0
    for c in op:
        if isinstance(c, str):
            out.append(c)
        elif c > 0:
            out.append(text[i : i + c])
            i += c
        else:
            i -= c
    return "".join(out)


def transform(a: TextOp, b: TextOp) -> tuple[TextOp, TextOp]:
    """(a', b') such that applying a then b' equals applying b then a'.

    Both were written against the same text. When both insert at the same place, `a`'s text
    goes first: the server passes the change it applied earlier as `a`.
    """
    if base_length(a) != base_length(b):
        raise ValueError("both changes must be written against the same text")
    a_out: TextOp = []
    b_out: TextOp = []
    ia, ib = iter(a), iter(b)
    ca, cb = next(ia, None), next(ib, None)
    while ca is not None or cb is not None:
        if isinstance(ca, str):
            a_out.append(ca)
            b_out.append(len(ca))
            ca = next(ia, None)
            continue
        if isinstance(cb, str):
            a_out.append(len(cb))
            b_out.append(cb)
            cb = next(ib, None)
            continue
        assert ca is not None and cb is not None, "lengths were checked above"
        n = min(abs(ca), abs(cb))
        if ca > 0 and cb > 0:
            a_out.append(n)
            b_out.append(n)
        elif ca < 0 and cb > 0:
            a_out.append(-n)
        elif ca > 0 and cb < 0:
            b_out.append(-n)
        # both delete the same characters: neither needs to delete them again
        ca = _rest(ca, n, ia)
        cb = _rest(cb, n, ib)
    return normalize(a_out), normalize(b_out)


def _rest(c: int, n: int, it: Iterator[Component]) -> Component | None:
    left = c - n if c > 0 else c + n
    return left if left != 0 else next(it, None)


def compose(a: TextOp, b: TextOp) -> TextOp:
    """One change equal to applying `a` then `b`."""
    if target_length(a) != base_length(b):
        raise ValueError("b must be written against the result of a")
    out: TextOp = []
    ia, ib = iter(a), iter(b)
    ca, cb = next(ia, None), next(ib, None)
    while ca is not None or cb is not None:
        if isinstance(ca, int) and ca < 0:
            out.append(ca)
            ca = next(ia, None)
            continue
        if isinstance(cb, str):
            out.append(cb)
            cb = next(ib, None)
            continue
        assert ca is not None and cb is not None
        if isinstance(ca, str):
            n = min(len(ca), abs(cb))
            if cb > 0:
                out.append(ca[:n])
            ca = ca[n:] or next(ia, None)
            cb = _rest(cb, n, ib)
        else:
            n = min(ca, abs(cb))
            out.append(n if cb > 0 else -n)
            ca = _rest(ca, n, ia)
            cb = _rest(cb, n, ib)
    return normalize(out)


def rebase(op: TextOp, applied_since: Iterable[TextOp]) -> TextOp:
    """Transform `op` (written at some base) over the changes applied after that base."""
    for earlier in applied_since:
        _, op = transform(earlier, op)
    return op


def replace_all(old: str, new: str) -> TextOp:
    """A whole-field replacement (card.update of `text`) as a change others can rebase over."""
    return normalize([-len(old), new])
