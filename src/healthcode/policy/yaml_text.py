"""Reading a policy's YAML text into plain data, with its cost bounded.

    document = read_yaml(text)     # dicts, lists, strings, numbers, booleans, None

A policy arrives from a health office's file or an ``activate_policy`` proposal, so its text is
untrusted input: what it asks of the reader, and of everything that walks the document after
it, must stay proportional to its length. Hence:

- **at most ``MAX_CHARACTERS`` characters** (the bundled policies are about 10,000; pure-Python
  YAML reads some 10,000 values a second on a busy core, so the limit keeps a read to seconds);
- **at most ``MAX_DEPTH`` levels** of nested mappings and sequences, counted in the text as it
  is read (building the document descends once per level on Python's bounded stack: a deeper
  text used to end in a RecursionError) and again with aliases expanded; CertLogic conditions
  have their own, smaller limit inside it;
- **at most ``MAX_VALUES`` values with aliases expanded**. An alias (``*name``) repeats the
  node its anchor (``&name``) names without copying it, so nested aliases make a few kilobytes
  stand for trillions of values (the "billion laughs") that any walk of the document, such as
  the CertLogic validator's, would visit one by one. The expanded size is counted on the
  composed nodes, each counted once, before anything is built; an alias to a node that
  contains it (a cycle) is refused. Anchors for a shared text, and ``<<: *base`` merge keys,
  stay allowed.

Each refusal is ``InvalidInput`` on the field ``policy`` (``policy: not valid YAML: …`` for a
syntax error). ``tick`` is called once per node composed and once per node counted, so that a
caller holding a time budget can stop a long read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import yaml

from healthcode.kernel.errors import InvalidInput

MAX_CHARACTERS: Final = 64 * 1024
MAX_DEPTH: Final = 100
MAX_VALUES: Final = 200_000

Tick = Callable[[], None]


class _Refused(yaml.YAMLError):
    """A bound of this module, broken; the message says which and where."""


def _nothing() -> None:
    return None


def _line(node_or_event: yaml.Node | yaml.Event) -> int:
    mark = node_or_event.start_mark
    return mark.line + 1 if mark is not None else 0


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, counting the nesting of the text as it composes."""

    def __init__(self, text: str, tick: Tick) -> None:
        super().__init__(text)
        self._depth = 0
        self._tick = tick

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._tick()
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if not isinstance(event, yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"line {_line(event)}: nested deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _measure(root: yaml.Node, tick: Tick) -> None:
    """Refuse a document that, aliases expanded, holds more than ``MAX_VALUES`` values, nests
    deeper than ``MAX_DEPTH`` levels or contains itself. Each node is visited once (a node that
    aliases repeat is measured once and its size reused); no recursion."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) expanded
    open_nodes: set[int] = set()  # on the path from the root to the node being measured
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        key = id(node)
        if children_done:
            children = [measured[id(child)] for child in _children(node)]
            values = 1 + sum(count for count, _ in children)
            nested = isinstance(node, yaml.CollectionNode)
            depth = 1 + max((d for _, d in children), default=0) if nested else 0
            if values > MAX_VALUES:
                raise _Refused(f"more than {MAX_VALUES:,} values once aliases (*name) are expanded")
            if depth > MAX_DEPTH:
                raise _Refused(
                    f"line {_line(node)}: nested deeper than {MAX_DEPTH} levels "
                    "once aliases (*name) are expanded"
                )
            measured[key] = (values, depth)
            open_nodes.discard(key)
            continue
        if key in measured:
            continue
        tick()
        open_nodes.add(key)
        pending.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                raise _Refused(f"line {_line(node)}: an alias (*name) refers to a node holding it")
            pending.append((child, False))


def read_yaml(text: str, *, tick: Tick | None = None) -> object:
    """The one YAML document in ``text`` as plain data; ``InvalidInput`` on ``policy`` naming
    the bound broken or the syntax error."""
    if len(text) > MAX_CHARACTERS:
        raise InvalidInput.one(
            "policy", f"too long: {len(text):,} characters (at most {MAX_CHARACTERS:,})"
        )
    loader = _BoundedLoader(text, tick or _nothing)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _measure(root, tick or _nothing)
        return loader.construct_document(root)
    except _Refused as refused:
        raise InvalidInput.one("policy", str(refused)) from None
    except yaml.YAMLError as error:
        raise InvalidInput.one("policy", f"not valid YAML: {error}") from None
    finally:
        loader.dispose()
