export { supabaseDatabase, type SupabaseDatabaseOptions } from './supabase-database.js';
