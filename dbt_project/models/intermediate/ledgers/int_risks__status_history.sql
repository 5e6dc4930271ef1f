{{ status_history('risks', 'risk_id', 'risk_key', {
    'status': 'raw_rows.status',
    'resolved_on': 'raw_rows.resolved_on',
    'due_on': 'raw_rows.due_on',
    'risk_level': 'raw_rows.risk_level',
}) }}
