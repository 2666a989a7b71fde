"""Read a spec's YAML once, safely, keeping where every value was written.

The text is read with a size cap (a spec is a page of YAML, not /dev/zero), composed into a
node graph once, and only then expanded, after the expanded size was counted on the graph
itself: an alias bomb (ten levels of ten aliases each) is refused in microseconds instead of
being expanded into billions of nodes. Duplicate keys, recursive aliases and tags other than
YAML's own are refused, each located by line. Dates stay strings, so the schema sees what the
user wrote; the source text of every scalar is kept (``91.80`` declares a precision that the
float 91.8 no longer shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]
MAX_SPEC_BYTES = 1 << 20
MAX_NODES = 200_000
"""Nodes after aliases are expanded; an honest spec has a few hundred."""
MAX_EXPANDED_CHARS = 4 * MAX_SPEC_BYTES
"""Characters of text after aliases are expanded: one long string repeated by aliases
(``keywords: [*big, *big, ...]``) is as much a bomb as many nodes."""
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


class YamlSourceError(ValueError):
    """The YAML cannot be read: too big, not YAML, or unsafe. ``problems`` are located."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so the schema sees what the user wrote."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YamlDocument:
    """The parsed document, the line of every path, and the source text of every scalar."""

    value: Any
    lines: Mapping[PathKey, int] = field(default_factory=dict)
    texts: Mapping[PathKey, str] = field(default_factory=dict)


def read_capped(path: Path, limit: int = MAX_SPEC_BYTES) -> str:
    """The UTF-8 text of a file of at most ``limit`` bytes (a pipe or device is read up to
    the limit and refused past it)."""
    with Path(path).open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise YamlSourceError(
            [f"the spec is larger than {limit // 1024} KiB; a dataset spec is a page of YAML"]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSourceError([f"the spec is not UTF-8 text: {exc}"]) from None


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """How many nodes, and how many characters of scalar text, the document has once
    aliases are expanded, counted on the graph in linear time (stopping as soon as a limit
    is passed); raises on a recursive alias."""
    sizes: dict[int, tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            nodes, chars = 1, len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            for child in _children(node):
                nodes, chars = nodes + sizes[id(child)][0], chars + sizes[id(child)][1]
            sizes[key] = (nodes, chars)
            if nodes > MAX_NODES or chars > MAX_EXPANDED_CHARS:
                return sizes[key]
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            line = node.start_mark.line + 1
            raise YamlSourceError(
                [f"recursive alias (an anchor that contains itself), line {line}"]
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _Builder:
    """Turns the node graph into Python values, recording lines and scalar texts."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.constructor = _PlainLoader("")
        self.lines: dict[PathKey, int] = {}
        self.texts: dict[PathKey, str] = {}
        self.problems: list[str] = []

    def build(self, node: yaml.Node, key: PathKey) -> Any:
        self.lines.setdefault(key, node.start_mark.line + 1)
        if node.tag not in _SAFE_TAGS:
            self.problems.append(
                f"{_where(key)}: the YAML tag {node.tag} is not allowed in a spec "
                f"(line {node.start_mark.line + 1})"
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            self.texts[key] = str(node.value)
            return self.constructor.construct_object(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*key, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        self.constructor.flatten_mapping(node)  # merge keys (<<: *base)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    f"{_where(key)}: a key must be plain text (line {key_node.start_mark.line + 1})"
                )
                continue
            name = str(self.constructor.construct_object(key_node))
            child = (*key, name)
            line = key_node.start_mark.line + 1
            if name in out:
                self.problems.append(
                    f"{_where(child)}: duplicate key {name!r} (line {line}, first on line "
                    f"{self.lines.get(child, '?')}); YAML keeps only one of them"
                )
                continue
            self.lines[child] = line
            out[name] = self.build(value_node, child)
        return out


def _where(key: PathKey) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_TOO_DEEP = "{name} nests values too deep to be a dataset spec (a spec is a few levels deep)"


def load_yaml(text: str, name: str) -> YamlDocument:
    """Parse YAML text once into values with their lines; every problem is located and
    names the file."""
    try:
        node = yaml.compose(text, Loader=_PlainLoader)
    except RecursionError:
        raise YamlSourceError([_TOO_DEEP.format(name=name)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise YamlSourceError(
            [f"not valid YAML in {name}{where}: {exc.problem or exc.context}"]
        ) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError([f"not valid YAML in {name}: {exc}"]) from None
    if node is None:
        return YamlDocument(None)
    nodes, chars = _expanded_size(node)
    if nodes > MAX_NODES:
        raise YamlSourceError(
            [
                f"the spec expands to more than {MAX_NODES} values (aliases repeating "
                "aliases?); refused"
            ]
        )
    if chars > MAX_EXPANDED_CHARS:
        raise YamlSourceError(
            [
                f"the spec expands to more than {MAX_EXPANDED_CHARS // (1 << 20)} Mi characters "
                "of text (a long string repeated by aliases?); refused"
            ]
        )
    builder = _Builder(name)
    try:
        value = builder.build(node, ())
    except RecursionError:
        raise YamlSourceError([_TOO_DEEP.format(name=name)]) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError([f"not valid YAML in {name}: {exc}"]) from None
    if builder.problems:
        raise YamlSourceError(builder.problems)
    return YamlDocument(value, builder.lines, builder.texts)
