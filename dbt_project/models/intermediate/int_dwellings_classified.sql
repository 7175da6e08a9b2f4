-- One row per received dwelling with the rent class valid on the day it was received.
-- A rent r belongs to class c on day t when c.min_rent_kr <= r < c.max_rent_kr (null max = open)
-- and c.valid_from <= t < c.valid_to (null valid_to = current). Rent classes change over time,
-- so the day is the dwelling's received_on, not today.

with

dwellings as (

    select * from {{ ref('stg_ledige_boliger__dwellings') }}

),

rent_classes as (

    select * from {{ ref('stg_huslejeklasser__rent_classes') }}

),

classified as (

    select
        dwellings.dwelling_id,
        dwellings.department_id,
        dwellings.housing_organisation,
        dwellings.district,
        dwellings.dwelling_type,
        dwellings.rooms,
        dwellings.area_m2,
        dwellings.rent_kr,
        dwellings.utilities_kr,
        dwellings.rent_kr + coalesce(dwellings.utilities_kr, 0) as rent_with_utilities_kr,
        dwellings.received_on,
        cast(date_trunc('month', dwellings.received_on) as date) as received_month,
        dwellings.answer_deadline_on,
        rent_classes.rent_class,
        rent_classes.rent_class_label,
        rent_classes.min_rent_kr as rent_class_min_kr,
        rent_classes.max_rent_kr as rent_class_max_kr,
        rent_classes.valid_from as rent_class_valid_from

    from dwellings
    left join rent_classes
        on dwellings.rent_kr >= rent_classes.min_rent_kr
        and (rent_classes.max_rent_kr is null or dwellings.rent_kr < rent_classes.max_rent_kr)
        and dwellings.received_on >= rent_classes.valid_from
        and (rent_classes.valid_to is null or dwellings.received_on < rent_classes.valid_to)

)

select * from classified
