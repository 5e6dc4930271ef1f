{{ status_history('petitions', 'item_id', 'petition_key', {
    'status': "case when raw_rows.concluded_on is not null then '办结'"
              ~ " else coalesce(raw_rows.acceptance, '待受理') end",
    'acceptance': 'raw_rows.acceptance',
    'accepted_on': 'raw_rows.accepted_on',
    'is_extended': 'coalesce(raw_rows.extended, false)',
    'concluded_on': 'raw_rows.concluded_on',
    'is_resolved': 'coalesce(raw_rows.resolved, false)',
    'satisfaction': 'raw_rows.satisfaction',
    'review_stage': 'raw_rows.review_stage',
}) }}
