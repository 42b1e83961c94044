"""Ten rules of ``specs/complete_community.stdl`` written by hand, three-valued, for ``bench.py``.

Takes a community record as a reader gives it (validated: numbers are int or float,
enum members may be given by their Chinese labels) and gives the rule's status as a
word (``pass``, ``fail``, ``unknown``, ``not_applicable``), as a careful Python programmer
would write it: ``None`` is unknown, Kleene's logic, exact arithmetic (integers
cross-multiplied; a float read as the decimal it prints as).  ``bench.py`` checks that
every function gives the compiled rule's status on every record before timing them.
"""

from __future__ import annotations

from fractions import Fraction

PASS, FAIL, UNKNOWN, NA = "pass", "fail", "unknown", "not_applicable"

#: an optional facility whose key is missing is *not recorded* (unknown), null is *absent* (issue 11);
#: before that change both were absent. bench.py sets this from the tree it runs on.
MISSING_IS_UNKNOWN = True
NOT_RECORDED = object()


def facility(r, key):
    """An optional record or list: its value, None when absent (null), NOT_RECORDED when its key is missing."""
    if MISSING_IS_UNKNOWN and key not in r:
        return NOT_RECORDED
    return r.get(key)

KIND = {"new": "new", "existing": "existing", "constrained": "constrained",
        "existing_unassessed": "existing_unassessed", "新建居住社区": "new", "既有居住社区": "existing",
        "受场地条件约束的既有居住社区": "constrained", "既有居住社区(是否受场地条件约束尚未评估)": "existing_unassessed"}
ROOMS = {"service_hall": "service_hall", "police_room": "police_room", "committee_office": "committee_office",
         "activity_room": "activity_room", "reading_room": "reading_room", "party_center": "party_center",
         "社区服务大厅": "service_hall", "警务室": "police_room", "社区居委会办公室": "committee_office",
         "居民活动用室": "activity_room", "阅览室": "reading_room", "党群活动中心": "party_center"}
SIX_ROOMS = frozenset(ROOMS.values())


def exact(x):
    return Fraction(repr(x)) if type(x) is float else x


def is_new(r):
    k = r.get("kind")
    return None if k is None else KIND[k] == "new"


def rooms(r):  # 1.rooms
    ss = facility(r, "service_station")
    if ss is NOT_RECORDED:
        return UNKNOWN
    if ss is None:
        return FAIL
    got = ss.get("rooms")
    if got is None:
        return UNKNOWN
    return PASS if SIX_ROOMS.issubset([ROOMS[x] for x in got]) else FAIL


def kindergarten_area(r):  # 2.building_area
    kg = facility(r, "kindergarten")
    if kg is NOT_RECORDED:
        return UNKNOWN
    if kg is None:
        return FAIL
    a = kg.get("building_area")
    return UNKNOWN if a is None else PASS if a >= 2200 else FAIL


def day_care_center(r):  # 4.day_care_center (可: a permission not taken up is not applicable)
    cond = r.get("day_care_conditions")
    if cond is False:
        return NA
    center = facility(r, "day_care_center")
    if center is NOT_RECORDED:
        return UNKNOWN
    if center is None:
        return NA
    a = center.get("building_area")
    if a is None:
        return UNKNOWN
    if a < 350:
        return FAIL if cond is True else UNKNOWN
    return PASS if cond is True else UNKNOWN


def supermarket(r):  # 6.building_area, with its alternative of convenience stores
    sm = facility(r, "supermarket")
    if sm is NOT_RECORDED:
        main = None
    elif sm is None:
        main = False
    else:
        a = sm.get("building_area")
        main = None if a is None else a >= 300
    if main is True:
        return PASS
    k = r.get("kind")
    k = None if k is None else KIND[k]
    constrained = True if k == "constrained" else None if k is None else (
        False if k != "existing_unassessed" else r.get("site_constrained"))
    alternative = False if constrained is False else None
    if constrained is not False:
        stores = facility(r, "convenience_stores")
        sure = unsure = 0
        for store in () if stores is NOT_RECORDED else stores or ():
            a = store.get("building_area")
            if a is None:
                unsure += 1
            elif a >= 50:
                sure += 1
        enough = None if stores is NOT_RECORDED else True if sure >= 2 else False if sure + unsure < 2 else None
        alternative = False if enough is False else True if constrained is True and enough is True else None
    if alternative is True:
        return PASS
    return FAIL if main is False and alternative is False else UNKNOWN


def slots(r):  # 7.slots: locker_slots between daily_deliveries and daily_deliveries * 1.3
    x, d = r.get("locker_slots"), r.get("daily_deliveries")
    if x is None or d is None:
        return UNKNOWN
    if type(x) is int and type(d) is int:
        return PASS if x >= d and 10 * x <= 13 * d else FAIL
    x, d = exact(x), exact(d)
    return PASS if d <= x <= d * Fraction(13, 10) else FAIL


def parking(r):  # 10.parking
    new = is_new(r)
    if new is not True:
        return NA if new is False else UNKNOWN
    cars, households = r.get("car_spaces"), r.get("households")
    if cars is None or households is None:
        return UNKNOWN
    return PASS if cars >= households else FAIL


def charging(r):  # 10.charging
    new = is_new(r)
    if new is not True:
        return NA if new is False else UNKNOWN
    a, b, cars = r.get("charging_spaces"), r.get("charging_ready_spaces"), r.get("car_spaces")
    if a is None or b is None or cars is None:
        return UNKNOWN
    return PASS if exact(a) + exact(b) >= exact(cars) else FAIL


def bus_stop(r):  # 11.bus_stop
    w = r.get("bus_stop_walk")
    return UNKNOWN if w is None else PASS if w <= 10 else FAIL


def park_sports(r):  # 15.park_sports: any(land_area >= 4000 m2 and sports_area / land_area between 10 % and 15 %)
    new = is_new(r)
    if new is not True:
        return NA if new is False else UNKNOWN
    parks = facility(r, "parks")
    if parks is NOT_RECORDED:
        return UNKNOWN
    found = False
    for park in parks or ():
        land, sports = park.get("land_area"), park.get("sports_area")
        big = None if land is None else land >= 4000
        if big is False:
            continue
        if land is None or sports is None or land == 0:
            share = None
        else:
            s, land = exact(sports), exact(land)
            share = 10 * s >= land and 20 * s <= 3 * land
        if big is True and share is True:
            return PASS
        if share is not False:
            found = None
    return FAIL if found is False else UNKNOWN


def pm_room(r):  # 16.room: pm_room.building_area / managed_building_area >= 2 ‰, and >= 50 m2
    new = is_new(r)
    if new is not True:
        return NA if new is False else UNKNOWN
    room = facility(r, "pm_room")
    if room is NOT_RECORDED:
        room, unknown_room = {}, True
    elif room is None:
        return FAIL
    else:
        unknown_room = False
    a, managed = room.get("building_area"), r.get("managed_building_area")
    unknown = unknown_room
    if a is None or managed is None or managed == 0:
        unknown = True
    elif not 500 * exact(a) >= exact(managed):  # a / managed >= 1/500, managed > 0
        return FAIL
    if a is None:
        unknown = True
    elif a < 50:
        return FAIL
    return UNKNOWN if unknown else PASS


#: rule id -> the hand-written function
RULES = {
    "1.rooms": rooms, "2.building_area": kindergarten_area, "4.day_care_center": day_care_center,
    "6.building_area": supermarket, "7.slots": slots, "10.parking": parking, "10.charging": charging,
    "11.bus_stop": bus_stop, "15.park_sports": park_sports, "16.room": pm_room,
}
