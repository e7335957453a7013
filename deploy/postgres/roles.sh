#!/bin/sh
# Makes the bot's Postgres role when the postgres container creates its
# data volume (docker-entrypoint-initdb.d). The tables belong to
# $POSTGRES_USER, who runs the migrations (`hotline migrate` with
# DATABASE_OWNER_URL); they grant hotline_bot what the bot needs and no
# more: the audit log to read and add to, never to change or erase.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$HOTLINE_BOT_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE hotline_bot LOGIN PASSWORD :'pw';
SQL
