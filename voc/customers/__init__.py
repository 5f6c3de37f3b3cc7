"""Customer records: CRM import, phone numbers, linking calls to customers."""
