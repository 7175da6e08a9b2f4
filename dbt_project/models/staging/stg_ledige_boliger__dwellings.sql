with

source as (

    {{ resolve_delta(source('raw', 'ledige_boliger'), ['bolig_id'], deleted_column=none) }}

),

renamed as (

    select
        -- ids
        bolig_id as dwelling_id,
        afdeling_id as department_id,

        -- descriptions and codes
        boligorganisation as housing_organisation,
        bydel as district,
        adresse as address,
        boligtype as dwelling_type,

        -- numbers
        vaerelser as rooms,
        areal_m2 as area_m2,
        husleje_kr as rent_kr,
        aconto_kr as utilities_kr,

        -- dates
        modtaget_dato as received_on,
        svarfrist_dato as answer_deadline_on,
        opdateret as updated_at,

        -- lineage of the winning row
        _source_file as source_file,
        _source_row as source_row,
        _extract_date as extract_date

    from source

)

select * from renamed
