with

source as (

    {{ resolve_delta(source('raw', 'herbergsophold'), ['ophold_id']) }}

),

renamed as (

    select
        -- ids
        ophold_id as shelter_stay_id,
        cpr_pseudonym,

        -- codes and text
        herberg as shelter,
        herberg_type as shelter_type,
        udskrevet_til as exit_destination,

        -- dates
        indskrevet_dato as entered_on,
        udskrevet_dato as exited_on,
        handleplan_dato as action_plan_on,
        opdateret as updated_at,

        -- lineage of the winning row
        _source_file as source_file,
        _source_row as source_row,
        _extract_date as extract_date

    from source

)

select * from renamed
