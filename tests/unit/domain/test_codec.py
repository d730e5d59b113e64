from __future__ import annotations

from wachannel.store.codec import from_item, to_item


def test_values_survive_the_attribute_format():
    values = {
        "text": "hello",
        "count": 3,
        "ratio": 1.5,
        "flag": True,
        "nothing": None,
        "blob": b"\x00\x01",
        "tags": {"a", "b"},
        "nested": {"list": [1, "two", {"three": 3}]},
    }

    assert from_item(to_item(values)) == values


def test_numbers_keep_their_kind():
    item = to_item({"whole": 10, "fraction": 2.0})

    assert item == {"whole": {"N": "10"}, "fraction": {"N": "2.0"}}
    assert from_item(item) == {"whole": 10, "fraction": 2.0}
    assert isinstance(from_item(item)["fraction"], float)
