# rule 1.classes — small.stdl:17
def rule_1_classes(_r):
    _p0 = _r.get('kindergarten')
    _p1 = (None if _p0 is None else _p0.get('classes'))
    _u = False
    _v = _rt.present(_r, 'kindergarten', True)
    if _v is not True:
        if _v is False:
            return _FAIL
        _u = True
    _v = _p1
    if _v is None:
        _u = True
    elif not (_v >= 6):
        return _FAIL
    return _UNK if _u else _PASS

# let community.big — small.stdl:13
def let_community_big(_s0):
    if _s0 is None:
        return None
    _p0 = _s0.get('households')
    return (None if (_t1 := _p0) is None else _t1 >= 1000)

# rule 2.area — small.stdl:22
def rule_2_area(_r):
    _p0 = _rt.enum(_r.get('kind'), _k0)
    _p1 = _r.get('kindergarten')
    _p2 = (None if _p1 is None else _p1.get('building_area'))
    _p3 = _rt.olist_get(_r, 'stores')
    _a = (False if (_t1 := (None if (_t2 := _p0) is None else _t2 == 'new')) is False else (False if (_t3 := let_community_big(_r)) is False else (None if _t1 is None or _t3 is None else True)))
    if _a is not True:
        return _NA if _a is False else _UNK
    _h = (None if (_t4 := _p2) is None else _t4 >= 2200)
    if _h is True:
        return _PASS
    _x = _rt.compare('>=', _rt.aggregate('count', _p3, None, lambda _s1: (False if (_t5 := (None if (_t6 := _s1.get('building_area')) is None else _t6 >= 50)) is False else (False if (_t7 := _s1.get('open')) is False else (None if _t5 is None or _t7 is None else True)))), 2)
    if _x is True:
        return _PASS
    _h = None if (_h is None or _x is None) else False
    return _FAIL if _h is False else _UNK

# rule 3.green — small.stdl:29
def rule_3_green(_r):
    _p0 = _rt.scaled(_r.get('green'), _k1)
    _u = False
    _v = _rt.between(_p0, _k2, _k3)
    if _v is not True:
        if _v is False:
            return _FAIL
        _u = True
    return _UNK if _u else _PASS

# value 1_community — small.stdl:37
def value_1_community(_r):
    _p0 = _rt.olist_get(_r, 'stores')
    return _rt.exact(_rt.aggregate('share', _p0, None, lambda _s1: _s1.get('open')))

# constants (passed in the namespace):
# _k0 = a dict of 4 items (enum labels, set members)
# _k1 = Fraction(1, 100)
# _k2 = Fraction(3, 10)
# _k3 = Fraction(39, 100)
