with

source as (

    -- full extract, refined: a monthly file may hold one month or the whole history, so for each
    -- (afdeling_id, maaned) the row from the newest file that contains that month wins
    {{ resolve_delta(
        source('raw', 'afdelinger'),
        ['afdeling_id', 'maaned'],
        updated_column=none,
        deleted_column=none
    ) }}

),

renamed as (

    select
        -- ids
        afdeling_id as department_id,
        maaned as month_start,

        -- descriptions and codes
        boligorganisation as housing_organisation,
        afdeling_navn as department_name,
        bydel as district,
        skaermet as is_shielded,

        -- counts
        antal_boliger as dwelling_count,
        ledige_boliger as vacancies,
        udlejet_venteliste as let_from_waiting_list,
        udlejet_fleksibel as let_flexibly,
        anvist_kommune as allocated_by_municipality,

        -- lineage of the winning row
        _source_file as source_file,
        _source_row as source_row,
        _extract_date as extract_date

    from source

)

select * from renamed
