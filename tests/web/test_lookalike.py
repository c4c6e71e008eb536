"""Issue 35, names: lookalikes fold alike (tlightchat/names.py `skeleton`), the browser's
table (static/js/safety/lookalike.js) is the server's, and names that are mostly marks
are refused."""
import json
import os
import re

import pytest

from tests.support.paths import ROOT
from tlightchat.names import clean_name, lookalike_table, skeleton


def test_lookalikes_fold_alike_and_different_names_do_not():
    assert skeleton("Ann") == skeleton("\u0410nn") == skeleton("\u0391NN") == skeleton("A n n")
    assert skeleton("Paypal") == skeleton("PayPaI") == skeleton("Pay\u0440al")
    assert skeleton("Ann") != skeleton("Anna")
    assert skeleton("Bob") != skeleton("Rob")


def test_the_browsers_table_is_the_servers():
    with open(os.path.join(ROOT, "static", "js", "safety", "lookalike.js"),
              encoding="utf-8") as f:
        pairs = json.loads(re.search(r"const PAIRS = (\".*\");", f.read()).group(1))
    table = {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)}
    assert table == lookalike_table()
    assert table["\u0430"] == "A" and table["O"] == "0"


@pytest.mark.parametrize("name", ["a\u0301\u0301\u0301b\u0301\u0301\u0301",
                                  "\u0301\u0301x\u0301\u0301\u0301"])
def test_a_name_that_is_mostly_marks_is_refused(name):
    with pytest.raises(ValueError, match="mostly combining marks"):
        clean_name(name)


@pytest.mark.parametrize("name", ["\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f\u064c",
                                  "\u0939\u093f\u0928\u094d\u0926\u0940", "Zo\u00eb", "Ng\u1ef1"])
def test_real_names_with_marks_are_kept(name):
    assert clean_name(name)
