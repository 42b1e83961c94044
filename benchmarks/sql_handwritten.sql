-- Ten rules of the column-5 spec (specs/complete_community.stdl) written by hand in DuckDB SQL,
-- the baseline of benchmarks/sql_bench.py (issues 10 and 14). One CASE per rule, NULL for
-- unknown (SQL's three-valued logic is the language's), over the typed columns a Parquet file
-- of generated communities has (examples/generate.py, converted by DuckDB): an optional
-- facility that is NULL is absent (docs/sql.md), enum members are stored by name, units are
-- the spec's own (m², minutes). The benchmark checks these verdicts equal the compiled SQL's
-- before it times either. {source} is replaced by the relation to read.
SELECT
  id AS record,
  -- 1.rooms: present(service_station) and service_station.rooms contains all {six rooms}
  CASE
    WHEN service_station IS NULL THEN 'fail'
    WHEN service_station.rooms IS NULL THEN 'unknown'
    WHEN list_has_all(service_station.rooms, ['service_hall', 'police_room', 'committee_office',
                                              'activity_room', 'reading_room', 'party_center']) THEN 'pass'
    ELSE 'fail'
  END AS "1.rooms",
  -- 2.building_area: present(kindergarten) and kindergarten.building_area >= 2200 m²
  CASE
    WHEN kindergarten IS NULL THEN 'fail'
    WHEN kindergarten.building_area IS NULL THEN 'unknown'
    WHEN kindergarten.building_area >= 2200 THEN 'pass'
    ELSE 'fail'
  END AS "2.building_area",
  -- 4.day_care_center (可, a permission): applies when day_care_conditions;
  -- present(day_care_center) and building_area >= 350 m²; not taken up: not applicable
  CASE
    WHEN day_care_conditions = false THEN 'not_applicable'
    WHEN day_care_center IS NULL THEN 'not_applicable'
    WHEN day_care_center.building_area IS NULL THEN 'unknown'
    WHEN day_care_center.building_area >= 350 THEN CASE WHEN day_care_conditions THEN 'pass' ELSE 'unknown' END
    WHEN day_care_conditions THEN 'fail'
    ELSE 'unknown'
  END AS "4.day_care_center",
  -- 6.building_area: present(supermarket) and supermarket.building_area >= 300 m², or (constrained)
  -- count(convenience_stores where building_area >= 50 m²) >= 2
  CASE
    WHEN (supermarket IS NOT NULL AND supermarket.building_area >= 300)
         OR ((kind = 'constrained' OR (kind = 'existing_unassessed' AND site_constrained))
             AND CASE
                   WHEN len(list_filter(coalesce(convenience_stores, []), lambda s: s.building_area >= 50)) >= 2 THEN true
                   WHEN len(list_filter(coalesce(convenience_stores, []), lambda s: s.building_area >= 50 OR s.building_area IS NULL)) < 2 THEN false
                 END) THEN 'pass'
    WHEN NOT ((supermarket IS NOT NULL AND supermarket.building_area >= 300)
         OR ((kind = 'constrained' OR (kind = 'existing_unassessed' AND site_constrained))
             AND CASE
                   WHEN len(list_filter(coalesce(convenience_stores, []), lambda s: s.building_area >= 50)) >= 2 THEN true
                   WHEN len(list_filter(coalesce(convenience_stores, []), lambda s: s.building_area >= 50 OR s.building_area IS NULL)) < 2 THEN false
                 END)) THEN 'fail'
    ELSE 'unknown'
  END AS "6.building_area",
  -- 7.slots: locker_slots between daily_deliveries and daily_deliveries * 1.3
  CASE
    WHEN locker_slots IS NULL OR daily_deliveries IS NULL THEN 'unknown'
    WHEN locker_slots >= daily_deliveries AND locker_slots <= daily_deliveries * 1.3 THEN 'pass'
    ELSE 'fail'
  END AS "7.slots",
  -- 10.parking: applies when kind == new; car_spaces >= households
  CASE
    WHEN kind IS NULL THEN 'unknown'
    WHEN kind <> 'new' THEN 'not_applicable'
    WHEN car_spaces IS NULL OR households IS NULL THEN 'unknown'
    WHEN car_spaces >= households THEN 'pass'
    ELSE 'fail'
  END AS "10.parking",
  -- 10.charging: applies when kind == new; charging_spaces + charging_ready_spaces >= car_spaces
  CASE
    WHEN kind IS NULL THEN 'unknown'
    WHEN kind <> 'new' THEN 'not_applicable'
    WHEN charging_spaces + charging_ready_spaces >= car_spaces THEN 'pass'
    WHEN charging_spaces + charging_ready_spaces < car_spaces THEN 'fail'
    ELSE 'unknown'
  END AS "10.charging",
  -- 11.bus_stop: bus_stop_walk <= 10 minutes
  CASE
    WHEN bus_stop_walk IS NULL THEN 'unknown'
    WHEN bus_stop_walk <= 10 THEN 'pass'
    ELSE 'fail'
  END AS "11.bus_stop",
  -- 15.park_sports: applies when kind == new;
  -- any(land_area >= 4000 m² and sports_area / land_area between 10 % and 15 % for parks)
  CASE
    WHEN kind IS NULL THEN 'unknown'
    WHEN kind <> 'new' THEN 'not_applicable'
    WHEN list_bool_or(list_transform(coalesce(parks, []), lambda p: p.land_area >= 4000
           AND p.sports_area >= 0.10 * p.land_area AND p.sports_area <= 0.15 * p.land_area)) THEN 'pass'
    WHEN len(list_filter(coalesce(parks, []), lambda p: (p.land_area >= 4000
           AND p.sports_area >= 0.10 * p.land_area AND p.sports_area <= 0.15 * p.land_area) IS NULL)) > 0 THEN 'unknown'
    ELSE 'fail'
  END AS "15.park_sports",
  -- 16.room: applies when kind == new; present(pm_room) and pm_room.building_area / managed_building_area >= 2 ‰,
  -- and present(pm_room) and pm_room.building_area >= 50 m²
  CASE
    WHEN kind IS NULL THEN 'unknown'
    WHEN kind <> 'new' THEN 'not_applicable'
    WHEN pm_room IS NULL THEN 'fail'
    WHEN pm_room.building_area < 50 THEN 'fail'
    WHEN managed_building_area > 0 AND pm_room.building_area < 0.002 * managed_building_area THEN 'fail'
    WHEN pm_room.building_area IS NULL OR managed_building_area IS NULL OR managed_building_area = 0 THEN 'unknown'
    ELSE 'pass'
  END AS "16.room"
FROM {source}
