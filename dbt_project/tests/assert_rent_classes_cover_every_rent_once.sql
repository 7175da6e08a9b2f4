-- SOURCES.md: every rent from 0 up falls in exactly one rent class on any date. Checked on every
-- day a class version starts or ends, at 0 and at every class bound: each such (day, rent) must
-- match exactly one class. Returns the (day, rent) pairs with 0 or several classes.

with

classes as (

    select * from {{ ref('stg_huslejeklasser__rent_classes') }}

),

days as (

    select valid_from as day from classes
    union
    select valid_to from classes where valid_to is not null

),

rents as (

    select cast(0 as decimal(14, 2)) as rent
    union
    select min_rent_kr from classes
    union
    select max_rent_kr from classes where max_rent_kr is not null

),

probes as (

    select days.day, rents.rent
    from days cross join rents
    -- only days on which some class is valid (before the first version nothing is promised)
    where exists (
        select 1 from classes
        where classes.valid_from <= days.day
            and (classes.valid_to is null or days.day < classes.valid_to)
    )

),

matches as (

    select probes.day, probes.rent, count(classes.rent_class) as classes_matching
    from probes
    left join classes
        on probes.rent >= classes.min_rent_kr
        and (classes.max_rent_kr is null or probes.rent < classes.max_rent_kr)
        and probes.day >= classes.valid_from
        and (classes.valid_to is null or probes.day < classes.valid_to)
    group by probes.day, probes.rent

)

select * from matches where classes_matching <> 1
