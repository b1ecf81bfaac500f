"""The helpers that read our HTML find what they are meant to find."""

from tests.html import id_problems


def test_sound_ids_have_no_problems():
    html = '<label for="a">A</label><input id="a" aria-describedby="a-hint"><p id="a-hint"></p>'
    assert id_problems(html) == []


def test_repeated_and_empty_ids_are_problems():
    assert id_problems('<p id="x"></p><p id="x"></p><p id=""></p>') == [
        "an element has an empty id",
        'id="x" is used more than once',
    ]


def test_references_to_missing_ids_are_problems():
    html = (
        '<a aria-describedby="here gone" href="#">A</a><p id="here"></p><label for="nope"></label>'
    )
    assert id_problems(html) == [
        '<a aria-describedby="gone"> names an id no element has',
        '<label for="nope"> names an id no element has',
    ]
