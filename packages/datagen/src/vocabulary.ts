export const firstNames = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Mateo', 'Sofia', 'Lucas', 'Mia', 'Arjun', 'Priya', 'Wei', 'Yuki', 'Hana', 'Omar', 'Fatima', 'Lars', 'Ingrid', 'Chloé', 'Léo', 'Giulia', 'Marco', 'Ana', 'João', 'Zanele', 'Kwame', 'Aisha', 'Mohammed', 'Sarah', 'David', 'Elena', 'Dmitri', 'Grace', 'Ethan', 'Isabella', 'Rohan', 'Meera', 'Tomás', 'Camila', 'Jonas'];
export const lastNames = ['Smith', 'Johnson', 'García', 'Müller', 'Rossi', 'Dubois', 'Kowalski', 'Nakamura', 'Chen', 'Patel', 'Sharma', 'Okafor', 'Mensah', 'Silva', 'Santos', 'Andersson', 'Nielsen', 'Novak', 'Ivanova', 'Kim', 'Park', 'Nguyen', 'Cohen', 'Haddad', "O'Brien", 'Walsh', 'Murphy', 'Fischer', 'Weber', 'Costa', 'Martin', 'Bernard', 'Lopez', 'Hernández', 'Khan', 'Ali', 'Singh', 'Das', 'Yamamoto', 'Tanaka'];
export const companyStems = ['Acme', 'Northwind', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Cyberdyne', 'Soylent', 'Tyrell', 'Aperture', 'Blue Sun', 'Massive Dynamic', 'Oscorp', 'Gringotts', 'Wonka', 'Nakatomi', 'Duff', 'Pied Piper', 'Dunder', 'Sterling', 'Bluth', 'Prestige', 'Monarch', 'Zenith', 'Nimbus', 'Vertex', 'Helix'];
export const companySuffixes = ['Inc', 'GmbH', 'Ltd', 'SA', 'Labs', 'Group', 'Systems', 'Analytics', 'Logistics', 'Health', 'Capital', 'Foods'];
export const titles = ['CEO', 'CTO', 'Head of Sales', 'VP Marketing', 'Operations Manager', 'Procurement Lead', 'IT Director', 'Founder', 'CFO', 'Product Manager', 'HR Director'];
/** Lead sources with rough real-world shares (the X Education export shows a similar skew). */
export const sources: readonly (readonly [string, number])[] = [['Google', 31], ['Direct Traffic', 28], ['Olark Chat', 19], ['Organic Search', 12], ['Reference', 6], ['Referral Sites', 2], ['Facebook', 1], ['Trade Show', 1]];
export const countries: readonly (readonly [string, number, readonly string[]])[] = [
  ['India', 40, ['Mumbai', 'Bengaluru', 'Delhi', 'Pune', 'Chennai']],
  ['United States', 18, ['New York', 'Austin', 'Chicago', 'San Francisco', 'Boston']],
  ['United Kingdom', 8, ['London', 'Manchester', 'Leeds']],
  ['Germany', 7, ['Berlin', 'Munich', 'Hamburg']],
  ['France', 5, ['Paris', 'Lyon']],
  ['United Arab Emirates', 5, ['Dubai', 'Abu Dhabi']],
  ['Singapore', 4, ['Singapore']],
  ['Brazil', 4, ['São Paulo', 'Rio de Janeiro']],
  ['Australia', 4, ['Sydney', 'Melbourne']],
  ['Canada', 3, ['Toronto', 'Vancouver']],
  ['Nigeria', 2, ['Lagos']],
];
export const industries = ['Software', 'Education', 'Healthcare', 'Finance', 'Retail', 'Manufacturing', 'Logistics', 'Media', 'Real Estate', 'Energy'];
export const companySizes = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'];
export const lostReasons = ['Price too high', 'Chose a competitor', 'No budget', 'No response', 'Not a fit', 'Timing'];
