"""Strict reading of YAML bank files: no duplicate keys, no custom tags or aliases, within the
size, depth and node limits. Bank files, support services files and drafts typed on a page are all
read here, the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.banks.limits import (
    MAX_BANK_BYTES,
    MAX_BANK_DEPTH,
    MAX_BANK_NODES,
    TOO_DEEP,
    TOO_MANY_BYTES,
    TOO_MANY_NODES,
)
from app.banks.schema import parse_document


class BankYamlError(yaml.YAMLError):
    """A YAML document a bank may not be, with where (a mark) when known."""

    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


# Tags a bank has a use for; !!binary, !!set, !!omap, !!pairs and the rest are refused.
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "str", "seq", "map", "timestamp")
)


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses what a bank never needs and an attack relies on.

    - a key given twice (PyYAML would silently keep the last one);
    - anchors, aliases and merge keys: each alias is a reference, and references to lists of
      references expand cubically (2 KB of YAML became 216,000 objects and 100 MB);
    - nesting deeper than MAX_BANK_DEPTH (PyYAML's composer recurses: a RecursionError)
      and more than MAX_BANK_NODES values, counted as they are read;
    - values no bank holds (binary, sets) and values Python cannot build (month 13, a
      5,000-digit number), which would otherwise escape as ValueError.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise BankYamlError(
                "aliases (*name) are not allowed in a bank: write the value out in full",
                event.start_mark,
            )
        if getattr(event, "anchor", None) is not None:
            raise BankYamlError(
                "anchors (&name) are not allowed in a bank: write each value out in full",
                event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_BANK_NODES:
            raise BankYamlError(TOO_MANY_NODES, event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_BANK_DEPTH:
                raise BankYamlError(TOO_DEEP, event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag not in _ALLOWED_TAGS and node.tag != _MERGE_TAG:
            raise BankYamlError(f"the tag {node.tag!r} is not allowed in a bank", node.start_mark)
        try:
            value = super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as error:
            raise BankYamlError(
                "this value cannot be read (an impossible date, or a number too long)",
                node.start_mark,
            ) from error
        # A double-quoted scalar may spell a NUL ("\0") or half a surrogate pair ("\ud800"):
        # text no database column can hold.
        if isinstance(value, str) and ("\x00" in value or _SURROGATE.search(value)):
            raise BankYamlError(
                "this text holds a null character or an unpaired surrogate", node.start_mark
            )
        return value


_MERGE_TAG = "tag:yaml.org,2002:merge"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_duplicate_keys(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == _MERGE_TAG:
            raise BankYamlError(
                "merge keys (<<) are not allowed in a bank: write the fields out in full",
                key_node.start_mark,
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{key}' is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def read_yaml(path: Path) -> Any:
    """The YAML document in `path` (raises yaml.YAMLError, with a line number, if malformed)."""
    if path.stat().st_size > MAX_BANK_BYTES:  # before reading it: a file may be huge
        raise BankYamlError(TOO_MANY_BYTES)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BankYamlError("the file is not UTF-8 text") from error
    return read_yaml_text(text)


def read_yaml_text(text: str) -> Any:
    """A YAML document from text, safely (raises yaml.YAMLError if malformed or too big)."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BANK_BYTES:
        raise BankYamlError(TOO_MANY_BYTES)
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def document_as_yaml(document: dict[str, Any]) -> str:
    """A stored document as a bank file, without the fields left at their defaults."""
    lean = parse_document(document).model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(lean, allow_unicode=True, sort_keys=False, width=100)


def yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    # Refused by our rules (an alias, a size cap) rather than by YAML's grammar.
    kind = "not accepted" if isinstance(error, BankYamlError) else "not valid YAML"
    return f"{kind}: {where}{problem}"
