with

source as (

    {{ resolve_delta(source('raw', 'anvisninger'), ['anvisning_id']) }}

),

renamed as (

    select
        -- ids
        anvisning_id as allocation_id,
        cpr_pseudonym,
        bolig_id as dwelling_id,

        -- codes (kept as the source's codes)
        maalgruppe as target_group,
        boligtype_behov as needed_dwelling_type,
        status,
        fraflytning_aarsag as move_out_reason,
        huslejetilskud as rent_subsidy_type,
        pilot_gruppe as pilot_group,

        -- numbers and flags
        betalingsevne_kr as ability_to_pay_kr,
        tilskud_kr_md as subsidy_kr_per_month,
        bostotte_behov as needs_support,

        -- dates
        indstillet_dato as recommended_on,
        tilbudt_dato as offered_on,
        indflytning_dato as moved_in_on,
        fraflytning_dato as moved_out_on,
        tilskud_slut_dato as subsidy_ends_on,
        opdateret as updated_at,

        -- lineage of the winning row
        _source_file as source_file,
        _source_row as source_row,
        _extract_date as extract_date

    from source

)

select * from renamed
