"""Which of some static modules a page has fetched so far (Resource Timing): the modules
the call page loads on demand (issue 33.2) are not fetched on a first load, and are when
their feature is used (test_files, test_reach, test_knock)."""

FETCHED = ("return performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"
           ".flatMap((p) => arguments[0].filter((lazy) => p.endsWith('/static/' + lazy)))")


def fetched(page, modules):
    """The ones of `modules` (paths under static/, e.g. "js/reach/knock.js") that `page`
    has fetched, sorted, each once."""
    return sorted(set(page.js(FETCHED, list(modules))))
