"""Who has Marcus's floor (cockpit.ui.marcus_floor): the rules alone, without a screen."""

from __future__ import annotations

from cockpit.ui.marcus_floor import COMMENT, DROP, QUESTION, START, UNPROMPTED, WAIT, Ask, Floor


def test_a_comment_never_cuts_off_a_question_and_runs_after_it():
    floor = Floor()
    q = Ask(QUESTION, ("screen", "why?"))
    assert floor.offer(q) == START
    comment = Ask(UNPROMPTED, ("screen",))
    assert floor.offer(comment) == WAIT
    assert floor.offer(Ask(COMMENT, ("screen2",))) == WAIT  # the newest waiting comment wins
    nxt = floor.finished(q, completed=True)
    assert nxt is not None and nxt.key == ("screen2",) and floor.current is nxt


def test_a_new_question_replaces_anything_and_names_why():
    floor = Floor()
    first = Ask(QUESTION, ("s", "a"))
    floor.offer(first)
    second = Ask(QUESTION, ("s", "b"))
    assert floor.offer(second) == START and floor.cancel_reason == "you asked a new question"
    assert floor.finished(first, completed=False) is None and floor.current is second
    assert floor.offer(Ask(QUESTION, ("s", "b"))) == DROP  # the same question while it streams


def test_the_same_screen_is_commented_on_once_until_it_changes():
    floor = Floor()
    c1 = Ask(COMMENT, ("s",))
    assert floor.offer(c1) == START
    assert all(floor.offer(Ask(COMMENT, ("s",))) == DROP for _ in range(29))
    floor.finished(c1, completed=True)
    assert floor.offer(Ask(COMMENT, ("s",))) == DROP
    assert floor.offer(Ask(UNPROMPTED, ("s",))) == DROP
    assert floor.offer(Ask(COMMENT, ("s2",))) == START


def test_a_failed_comment_may_be_asked_again():
    floor = Floor()
    c1 = Ask(COMMENT, ("s",))
    floor.offer(c1)
    floor.finished(c1, completed=False)
    assert floor.offer(Ask(COMMENT, ("s",))) == START


def test_c_after_an_unprompted_comment_on_the_same_screen_still_asks():
    floor = Floor()
    auto = Ask(UNPROMPTED, ("s",))
    floor.offer(auto)
    floor.finished(auto, completed=True)
    assert floor.offer(Ask(UNPROMPTED, ("s",))) == DROP  # Marcus does not repeat himself
    assert floor.offer(Ask(COMMENT, ("s",))) == START  # but the user asked
