with

source as (

    -- full extract: the newest file holds every version and replaces all earlier files
    {{ newest_file(source('raw', 'huslejeklasser')) }}

),

renamed as (

    select
        -- ids
        klasse as rent_class,
        navn as rent_class_label,

        -- numbers
        min_kr as min_rent_kr,
        max_kr as max_rent_kr,

        -- dates
        gyldig_fra as valid_from,
        gyldig_til as valid_to,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _extract_date as extract_date

    from source

)

select * from renamed
