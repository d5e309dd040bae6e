import { NEED_AREAS, type NeedArea } from '../vocabulary.js';

/** Catalog file columns in the order `docs/sample-services.csv` uses; `name` and `need_areas` are required. */
export const SERVICE_COLUMNS = [
  'service_id',
  'name',
  'need_areas',
  'contact',
  'languages',
  'hours',
  'notes',
  'school_id',
  'active',
] as const;
export const SERVICE_REQUIRED = ['name', 'need_areas'] as const;

/** Cells that hold several values separate them with semicolons (commas also work inside quotes). */
export const LIST_SEPARATOR = /[;|,]/;

// The words a district's spreadsheet tends to use for an area, beside the taxonomy's own ids.
const AREA_ALIASES: Record<string, NeedArea> = {
  food: 'food_security',
  housing: 'housing_stability',
  technology: 'technology_access',
  internet: 'technology_access',
  device: 'technology_access',
  health: 'physical_health',
  mental_health: 'mental_emotional_wellbeing',
  family_services: 'family_social_services',
  social_services: 'family_social_services',
  transport: 'transportation',
};

/** A need area from a catalog cell ('Food Security', 'food-security', 'food'), or undefined. */
export function needAreaOf(raw: string): NeedArea | undefined {
  const word = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if ((NEED_AREAS as readonly string[]).includes(word)) return word as NeedArea;
  return AREA_ALIASES[word];
}

/** The need areas, for messages. */
export const AREA_LIST = NEED_AREAS.join(', ');
