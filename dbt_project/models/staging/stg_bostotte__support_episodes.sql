with

source as (

    {{ resolve_delta(source('raw', 'bostotte'), ['forloeb_id']) }}

),

renamed as (

    select
        -- ids
        forloeb_id as support_episode_id,
        cpr_pseudonym,

        -- codes and text
        indsats as support_method,
        leverandoer as provider_type,
        team,
        slut_aarsag as end_reason,

        -- dates
        bevilget_dato as granted_on,
        start_dato as started_on,
        slut_dato as ended_on,
        opdateret as updated_at,

        -- lineage of the winning row
        _source_file as source_file,
        _source_row as source_row,
        _extract_date as extract_date

    from source

)

select * from renamed
