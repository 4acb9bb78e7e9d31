// The contact service's PostgreSQL read model (database crm_contact): every list, search, timeline and export
// reads it. Applied in name order at start by the kit (runService readModel.migrations); a name once applied never
// changes. Every index starts with tenant_id; pagination is keyset.
import { sql, type Migration } from 'kysely';

/** Search folding and words, in SQL so that stored words and query terms are folded by the same function. */
const searchFunctions = sql`
  create extension if not exists unaccent;
  create extension if not exists pg_trgm;
  create extension if not exists btree_gin;

  -- unaccent() is only stable (its dictionary could change); this wrapper names the dictionary, so generated
  -- columns may use it. Lower case without accents: 'Zoë Ørsted' -> 'zoe orsted'. The functions are plpgsql, whose
  -- plans are cached per session: SQL functions that cannot be inlined are planned again for every row.
  create function crm_fold(text) returns text language plpgsql immutable parallel safe strict as $$
  begin
    return lower(public.unaccent('public.unaccent'::regdictionary, $1));
  end $$;

  -- Folded words: letters and digits only.
  create function crm_words(text) returns text[] language plpgsql immutable parallel safe strict as $$
  begin
    return coalesce(array_remove(regexp_split_to_array(crm_fold($1), '[^[:alnum:]]+'), ''), '{}');
  end $$;

  -- Folded "first last", words joined by one space: same-name duplicate candidates and trigram similarity.
  create function crm_name_key(first text, last text) returns text language plpgsql immutable parallel safe as $$
  begin
    return array_to_string(crm_words(coalesce(first, '') || ' ' || coalesce(last, '')), ' ');
  end $$;

  -- Folded words each after a space (' umbrella corp'): "a word starts with" is one LIKE ' umb%' (trigram GIN).
  create function crm_word_starts(text) returns text language plpgsql immutable parallel safe strict as $$
  begin
    return ' ' || array_to_string(crm_words($1), ' ');
  end $$;

  -- Every word a contact is found by: the words of its name and company, each email whole, its domain and the
  -- words of its local part, and each phone's digits (given by the service, which knows national numbers). Words
  -- shorter than two characters are never searched for.
  create function crm_contact_words(first text, last text, emails text[], phones text[], company text)
    returns text[] language plpgsql immutable parallel safe as $$
  declare
    words text[] := crm_words(coalesce(first, '') || ' ' || coalesce(last, '') || ' ' || coalesce(company, ''))
      || coalesce(phones, '{}');
    address text;
    folded text;
  begin
    foreach address in array coalesce(emails, '{}') loop
      folded := crm_fold(address);
      words := words || folded || split_part(folded, '@', 2) || crm_words(split_part(folded, '@', 1));
    end loop;
    return array(select distinct left(w, 64) from unnest(words) w where length(w) >= 2);
  end $$;
`;

const contacts = sql`
  create table contacts (
    id text primary key,
    tenant_id text not null,
    owner_id text not null,
    team_id text not null,
    version int not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    deleted_at timestamptz,
    first_name text not null,
    last_name text not null,
    title text not null,
    company_id text not null,
    company_name text not null,
    company_domain text not null,
    lifecycle_stage text not null,
    lead_source text not null,
    tier text not null,
    external_id text not null,
    tags text[] not null,
    -- Normalised addresses (lower case) and E.164 numbers; phone_digits adds national numbers, for search.
    emails text[] not null,
    phones text[] not null,
    phone_digits text[] not null,
    merged_into text not null,
    erased_at timestamptz,
    -- Not from the contact's record: the newest activity's time (activities projection).
    last_activity_at timestamptz,
    -- The record as the API shows it.
    data jsonb not null,
    name_key text generated always as (crm_name_key(first_name, last_name)) stored,
    search tsvector generated always as
      (array_to_tsvector(crm_contact_words(first_name, last_name, emails, phone_digits, company_name))) stored
  );
  -- Lists: newest change first, per scope branch (the tenant, an owner, a team) and per narrowing filter.
  create index contacts_updated on contacts (tenant_id, updated_at desc, id desc);
  create index contacts_owner_updated on contacts (tenant_id, owner_id, updated_at desc, id desc);
  create index contacts_team_updated on contacts (tenant_id, team_id, updated_at desc, id desc);
  create index contacts_company_updated on contacts (tenant_id, company_id, updated_at desc, id desc);
  create index contacts_stage_updated on contacts (tenant_id, lifecycle_stage, updated_at desc, id desc);
  create index contacts_tags on contacts using gin (tenant_id, tags);
  -- Search of several terms, duplicates by email, phone and (similar) name.
  create index contacts_search on contacts using gin (tenant_id, search);
  create index contacts_emails on contacts using gin (tenant_id, emails);
  create index contacts_phones on contacts using gin (tenant_id, phones);
  create index contacts_name_trgm on contacts using gin (tenant_id, name_key gin_trgm_ops);

  -- Type-ahead of one term: each live contact's words in a btree, so a prefix is a range scan read in word order
  -- (exact matches first, then the nearest completions) and stopped after a bounded number of candidates, how
  -- ever common the prefix. Owner and team ride along so that visibility filters without reading contacts.
  create table contact_search_words (
    tenant_id text not null,
    word text collate "C" not null,
    contact_id text not null,
    owner_id text not null,
    team_id text not null
  );
  create index contact_search_words_prefix on contact_search_words
    (tenant_id, word collate "C", contact_id desc) include (owner_id, team_id);

  -- Kept by triggers from the contacts table itself (its search vector's lexemes are the words), so the
  -- in-request projection, the stream consumer and a rebuild all maintain it alike. Only rows whose words or
  -- visibility changed are rewritten.
  create function contact_search_words_insert() returns trigger language plpgsql as $$
  begin
    insert into contact_search_words (tenant_id, word, contact_id, owner_id, team_id)
      select n.tenant_id, w, n.id, n.owner_id, n.team_id
      from new_rows n, unnest(tsvector_to_array(n.search)) w
      where n.deleted_at is null;
    return null;
  end $$;

  create function contact_search_words_update() returns trigger language plpgsql as $$
  begin
    -- The delete and the insert see the same snapshot: old words go, new ones come, overlapping ones are renewed.
    with changed as (
      select n.id from new_rows n join old_rows o on o.id = n.id
      where (o.search, o.owner_id, o.team_id, o.deleted_at is null)
        is distinct from (n.search, n.owner_id, n.team_id, n.deleted_at is null)
    ), gone as (
      delete from contact_search_words s
        using (
          select o.tenant_id, w, o.id
          from old_rows o join changed c on c.id = o.id, unnest(tsvector_to_array(o.search)) w
        ) g (tenant_id, word, id)
        where s.tenant_id = g.tenant_id and s.word = g.word and s.contact_id = g.id
    )
    insert into contact_search_words (tenant_id, word, contact_id, owner_id, team_id)
      select n.tenant_id, w, n.id, n.owner_id, n.team_id
      from new_rows n join changed c on c.id = n.id, unnest(tsvector_to_array(n.search)) w
      where n.deleted_at is null;
    return null;
  end $$;

  create function contact_search_words_delete() returns trigger language plpgsql as $$
  begin
    delete from contact_search_words s
      using (select o.tenant_id, w, o.id from old_rows o, unnest(tsvector_to_array(o.search)) w) g (tenant_id, word, id)
      where s.tenant_id = g.tenant_id and s.word = g.word and s.contact_id = g.id;
    return null;
  end $$;

  create trigger contacts_words_insert after insert on contacts
    referencing new table as new_rows for each statement execute function contact_search_words_insert();
  create trigger contacts_words_update after update on contacts
    referencing old table as old_rows new table as new_rows for each statement
    execute function contact_search_words_update();
  create trigger contacts_words_delete after delete on contacts
    referencing old table as old_rows for each statement execute function contact_search_words_delete();
`;

const companies = sql`
  create table companies (
    id text primary key,
    tenant_id text not null,
    owner_id text not null,
    team_id text not null,
    version int not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    deleted_at timestamptz,
    name text not null,
    domain text not null,
    industry text not null,
    parent_company_id text not null,
    external_id text not null,
    data jsonb not null,
    -- Folded name, a space before each word, so that "a word of the name starts with" is one LIKE.
    name_words text generated always as (crm_word_starts(name)) stored
  );
  create index companies_updated on companies (tenant_id, updated_at desc, id desc);
  create index companies_owner_updated on companies (tenant_id, owner_id, updated_at desc, id desc);
  create index companies_team_updated on companies (tenant_id, team_id, updated_at desc, id desc);
  create index companies_industry_updated on companies (tenant_id, industry, updated_at desc, id desc);
  create index companies_domain on companies (tenant_id, domain);
  create index companies_parent on companies (tenant_id, parent_company_id);
  create index companies_name_trgm on companies using gin (tenant_id, name_words gin_trgm_ops);
`;

const activities = sql`
  create table activities (
    id text primary key,
    tenant_id text not null,
    owner_id text not null,
    team_id text not null,
    version int not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    deleted_at timestamptz,
    type text not null,
    contact_id text not null,
    company_id text not null,
    occurred_at timestamptz not null,
    data jsonb not null
  );
  create index activities_contact on activities (tenant_id, contact_id, occurred_at desc, id desc);
  create index activities_company on activities (tenant_id, company_id, occurred_at desc, id desc);
`;

const settingsAndImports = sql`
  create table tenant_settings (
    id text primary key,
    tenant_id text not null,
    owner_id text not null,
    team_id text not null,
    version int not null,
    data jsonb not null
  );
  create table custom_field_sets (
    id text primary key,
    tenant_id text not null,
    owner_id text not null,
    team_id text not null,
    version int not null,
    entity text not null,
    data jsonb not null
  );
  create index custom_field_sets_tenant on custom_field_sets (tenant_id, entity);

  create table import_jobs (
    id text primary key,
    tenant_id text not null,
    owner_id text not null,
    team_id text not null,
    version int not null,
    created_at timestamptz not null,
    data jsonb not null
  );
  create index import_jobs_created on import_jobs (tenant_id, created_at desc, id desc);
  create index import_jobs_owner_created on import_jobs (tenant_id, owner_id, created_at desc, id desc);
  create index import_jobs_team_created on import_jobs (tenant_id, team_id, created_at desc, id desc);

  -- Row errors of imports, from the batchErrors of each checkpoint in the job's event log.
  create table import_errors (
    tenant_id text not null,
    job_id text not null,
    row int not null,
    field text not null,
    message text not null,
    primary key (tenant_id, job_id, row, field)
  );
`;

// pg_restore (and any session with another search_path) runs the search functions with an empty search path: one
// that calls another unqualified (crm_word_starts -> crm_words) then fails while a table's rows are copied back.
// Each function names its own search path, so a restored or rebuilt database computes the same words.
const pinnedSearchPath = sql`
  alter function crm_fold(text) set search_path = public;
  alter function crm_words(text) set search_path = public;
  alter function crm_name_key(text, text) set search_path = public;
  alter function crm_word_starts(text) set search_path = public;
  alter function crm_contact_words(text, text, text[], text[], text) set search_path = public;
  alter function contact_search_words_insert() set search_path = public;
  alter function contact_search_words_update() set search_path = public;
  alter function contact_search_words_delete() set search_path = public;
`;

export const contactReadModelMigrations: Record<string, Migration> = {
  '001-contact-read-model': {
    async up(db) {
      for (const statement of [searchFunctions, contacts, companies, activities, settingsAndImports])
        await statement.execute(db);
    },
  },
  '002-search-functions-search-path': {
    async up(db) {
      await pinnedSearchPath.execute(db);
    },
  },
};

/** The read model's tables, emptied by a rebuild before it replays the event log. */
export const READ_MODEL_TABLES = [
  'contacts',
  'contact_search_words',
  'companies',
  'activities',
  'tenant_settings',
  'custom_field_sets',
  'import_jobs',
  'import_errors',
] as const;
