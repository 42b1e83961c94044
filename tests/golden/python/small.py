# rule 1.classes — small.stdl:17
def rule_1_classes(_r):
    _u = False
    _v = ((None if 'kindergarten' not in _r else _r.get('kindergarten') is not None))
    if _v is not True:
        if _v is False:
            return _FAIL
        _u = True
    _p0 = _r.get('kindergarten')
    _p1 = (None if _p0 is None else _p0.get('classes'))
    _v = _p1
    if _v is None:
        _u = True
    elif not (_v >= 6):
        return _FAIL
    return _UNK if _u else _PASS

# rule 2.area — small.stdl:22
def rule_2_area(_r):
    _p0 = (None if (_t3 := _r.get('kind')) is None else _k0[_t3])
    _p1 = _r.get('households')
    _a = (False if (_t1 := (None if (_t2 := _p0) is None else _t2 == 'new')) is False else (False if (_t4 := (None if (_t5 := _p1) is None else _t5 >= 1000)) is False else (None if _t1 is None or _t4 is None else True)))
    if _a is not True:
        return _NA if _a is False else _UNK
    _p2 = _r.get('kindergarten')
    _p3 = (None if _p2 is None else _p2.get('building_area'))
    _h = (None if (_t6 := _p3) is None else _t6 >= 2200)
    if _h is True:
        return _PASS
    _p4 = (None if 'stores' not in _r else [] if (_t7 := _r['stores']) is None else _t7)
    _x = (None if (_t8 := _p4) is None else False if not _t8 else (True if (_t13 := (_t12 := [(False if (_t9 := (None if (_t10 := _s1.get('building_area')) is None else _t10 >= 50)) is False else (False if (_t11 := _s1.get('open')) is False else (None if _t9 is None or _t11 is None else True))) for _s1 in _t8]).count(True)) >= 2 else None if _t13 + _t12.count(None) >= 2 else False))
    if _x is True:
        return _PASS
    _h = None if (_h is None or _x is None) else False
    return _FAIL if _h is False else _UNK

# rule 3.green — small.stdl:29
def rule_3_green(_r):
    _u = False
    _p0 = _rt.scaled(_r.get('green'), _k1)
    _v = (None if (_t1 := _p0) is None else ((10 * _t1 >= 3 and 100 * _t1 <= 39) if _t1.__class__ is _int else (((_t1q := _q(_t1)),) and 10 * _t1q >= 3 and 100 * _t1q <= 39)))
    if _v is not True:
        if _v is False:
            return _FAIL
        _u = True
    return _UNK if _u else _PASS

# value 1_community — small.stdl:37
def value_1_community(_r):
    _p0 = (None if 'stores' not in _r else [] if (_t1 := _r['stores']) is None else _t1)
    return _rt.exact(_rt.aggregate('share', _p0, None, lambda _s1: _s1.get('open')))

# constants (passed in the namespace):
# _k0 = a dict of 4 items (enum labels, set members)
# _k1 = Fraction(1, 100)
