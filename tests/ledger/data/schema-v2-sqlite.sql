CREATE TABLE onaccount_accounts (
	number TEXT NOT NULL, 
	name TEXT NOT NULL, 
	name_folded TEXT NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	places SMALLINT NOT NULL, 
	grp TEXT, 
	opening_limit_minor BIGINT NOT NULL, 
	limit_minor BIGINT NOT NULL, 
	balance_minor BIGINT NOT NULL, 
	revision INTEGER NOT NULL, 
	data TEXT NOT NULL, 
	PRIMARY KEY (number)
);

CREATE INDEX ix_onaccount_accounts_balance ON onaccount_accounts (balance_minor);

CREATE INDEX ix_onaccount_accounts_grp ON onaccount_accounts (grp);

CREATE TABLE onaccount_runs (
	seq INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	"key" TEXT, 
	period_first VARCHAR(10) NOT NULL, 
	period_last VARCHAR(10) NOT NULL, 
	tz TEXT NOT NULL, 
	day_starts_at VARCHAR(16) NOT NULL, 
	strategy TEXT NOT NULL, 
	actor TEXT NOT NULL, 
	created_at_us BIGINT NOT NULL, 
	fingerprint VARCHAR(64), 
	currency VARCHAR(3), 
	selected TEXT, 
	PRIMARY KEY (seq), 
	UNIQUE (id), 
	UNIQUE ("key")
);

CREATE TABLE onaccount_schema (
	id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE onaccount_account_invoices (
	id TEXT NOT NULL, 
	run_id TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	account TEXT NOT NULL, 
	account_data TEXT NOT NULL, 
	balance_before_minor BIGINT NOT NULL, 
	limit_before_minor BIGINT NOT NULL, 
	balance_delta_minor BIGINT NOT NULL, 
	limit_delta_minor BIGINT NOT NULL, 
	mutation_id TEXT, 
	state VARCHAR(16) NOT NULL, 
	undo_mutation_id TEXT, 
	undone_at_us BIGINT, 
	undone_by TEXT, 
	undo_reason TEXT, 
	statement_data TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (run_id, account), 
	FOREIGN KEY(run_id) REFERENCES onaccount_runs (id), 
	FOREIGN KEY(account) REFERENCES onaccount_accounts (number)
);

CREATE INDEX ix_onaccount_account_invoices_account ON onaccount_account_invoices (account);

CREATE TABLE onaccount_account_tags (
	number TEXT NOT NULL, 
	tag TEXT NOT NULL, 
	PRIMARY KEY (number, tag), 
	FOREIGN KEY(number) REFERENCES onaccount_accounts (number)
);

CREATE INDEX ix_onaccount_account_tags_tag ON onaccount_account_tags (tag);

CREATE TABLE onaccount_mutations (
	seq INTEGER NOT NULL, 
	id TEXT NOT NULL, 
	account TEXT NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	balance_delta_minor BIGINT NOT NULL, 
	limit_delta_minor BIGINT NOT NULL, 
	actor TEXT NOT NULL, 
	at_us BIGINT NOT NULL, 
	reason TEXT NOT NULL, 
	run_id TEXT, 
	PRIMARY KEY (seq), 
	UNIQUE (id), 
	FOREIGN KEY(account) REFERENCES onaccount_accounts (number)
);

CREATE INDEX ix_onaccount_mutations_account ON onaccount_mutations (account, at_us);

CREATE INDEX ix_onaccount_mutations_run ON onaccount_mutations (run_id);

CREATE TABLE onaccount_transactions (
	id TEXT NOT NULL, 
	account TEXT NOT NULL, 
	at_us BIGINT NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	amount_minor BIGINT NOT NULL, 
	text TEXT, 
	invoice_id TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(account) REFERENCES onaccount_accounts (number)
);

CREATE INDEX ix_onaccount_transactions_account_at ON onaccount_transactions (account, at_us, id);

CREATE INDEX ix_onaccount_transactions_invoice ON onaccount_transactions (invoice_id);

CREATE TABLE onaccount_invoice_items (
	invoice_id TEXT NOT NULL, 
	transaction_id TEXT NOT NULL, 
	PRIMARY KEY (invoice_id, transaction_id), 
	FOREIGN KEY(invoice_id) REFERENCES onaccount_account_invoices (id), 
	FOREIGN KEY(transaction_id) REFERENCES onaccount_transactions (id)
);

CREATE INDEX ix_onaccount_invoice_items_transaction ON onaccount_invoice_items (transaction_id);

CREATE TABLE onaccount_lines (
	transaction_id TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	product TEXT NOT NULL, 
	code TEXT, 
	grp TEXT, 
	quantity TEXT NOT NULL, 
	unit_price TEXT NOT NULL, 
	vat_category VARCHAR(2) NOT NULL, 
	vat_rate TEXT NOT NULL, 
	vat_reason TEXT, 
	PRIMARY KEY (transaction_id, position), 
	FOREIGN KEY(transaction_id) REFERENCES onaccount_transactions (id)
);
