with

source as (

    {{ resolve_delta(source('raw', 'returnerede_boliger'), ['bolig_id'], deleted_column=none) }}

),

renamed as (

    select
        -- ids
        bolig_id as dwelling_id,

        -- codes and text
        aarsag as return_reason,
        bemaerkning as remark,

        -- dates
        returneret_dato as returned_on,
        opdateret as updated_at,

        -- lineage of the winning row
        _source_file as source_file,
        _source_row as source_row,
        _extract_date as extract_date

    from source

)

select * from renamed
