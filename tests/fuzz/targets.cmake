# The fuzz targets (tests/fuzz/<name>.cc), for the fuzz build and the main build's ctest.
set(SIP_FUZZ_TARGETS personnummer_fuzz plan_request_fuzz consent_request_fuzz
    meeting_request_fuzz lifecycle_request_fuzz token_fuzz page_token_fuzz timeline_fold_fuzz)
