{{ status_history('backlog', 'case_id', 'case_key', {
    'status': 'raw_rows.status',
    'resolved_on': 'raw_rows.resolved_on',
    'due_on': 'raw_rows.due_on',
    'leader_level': 'raw_rows.leader_level',
}) }}
