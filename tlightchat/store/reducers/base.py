"""Copy-on-write helpers every slice's reducers share: a changed record, and each slice
holding it, is new; every other record and slice keeps its identity."""
from immutables import Map


def put(mapping, key, value):
    if isinstance(mapping, Map):
        return mapping.set(key, value)
    new = dict(mapping)
    new[key] = value
    return new


def drop(mapping, key):
    if key not in mapping:
        return mapping
    if isinstance(mapping, Map):
        return mapping.delete(key)
    new = dict(mapping)
    del new[key]
    return new


def patch(state, slice_name, key, **changes):
    record = state[slice_name][key]
    if all(record.get(k) == v for k, v in changes.items()):
        return state
    return {**state, slice_name: put(state[slice_name], key, {**record, **changes})}
