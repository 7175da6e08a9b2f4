"""The partner tables' quality suites (`boligmonitor.quality.partner_suites`) as blocking asset
checks on `exports/partner_tables`, severity ERROR on failure: a failing check stops the export
package and the partner site in the same run. Results go to audit.validations and the quality
report like every other suite."""

import dagster as dg

from boligmonitor.quality.partner_suites import partner_suites
from orchestration.defs.quality.checks import suite_check


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[suite_check(s) for s in partner_suites()])
