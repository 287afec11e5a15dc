// Cloud regions → Electricity Maps grid zones, each with the provider page that places the region.
//
// A mapping is listed only when the provider itself publishes where the region is (city or state) and that
// place lies inside one grid zone. Zones are Electricity Maps zone codes as bundled by @tgwf/co2.
// Sources (each row names one of these):
const aws = 'https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html';
const gcp = 'https://cloud.google.com/compute/docs/regions-zones';
const azure = 'https://learn.microsoft.com/en-us/azure/reliability/regions-list';

/** One alias: the grid zone it maps to, the place the provider names, and the page that says so. */
export interface CloudRegion {
  zone: string;
  location: string;
  citation: string;
}

/** `provider:region` → grid zone. Keys are lower case. */
export const cloudRegions: Record<string, CloudRegion> = {
  'aws:us-east-1': { zone: 'US-MIDA-PJM', location: 'US East (N. Virginia); Virginia lies in the PJM grid', citation: aws },
  'aws:us-west-1': { zone: 'US-CAL-CISO', location: 'US West (N. California); northern California is in CAISO', citation: aws },
  'aws:ca-central-1': { zone: 'CA-QC', location: 'Canada (Central), Montréal, Québec', citation: aws },
  'aws:eu-west-1': { zone: 'IE', location: 'Europe (Ireland)', citation: aws },
  'aws:eu-west-2': { zone: 'GB', location: 'Europe (London)', citation: aws },
  'aws:eu-west-3': { zone: 'FR', location: 'Europe (Paris)', citation: aws },
  'aws:eu-central-1': { zone: 'DE', location: 'Europe (Frankfurt)', citation: aws },
  'aws:eu-south-1': { zone: 'IT-NO', location: 'Europe (Milan); Milan is in the Italian North bidding zone', citation: aws },
  'aws:ap-northeast-1': { zone: 'JP-TK', location: 'Asia Pacific (Tokyo); TEPCO area', citation: aws },
  'aws:ap-southeast-1': { zone: 'SG', location: 'Asia Pacific (Singapore)', citation: aws },
  'aws:ap-southeast-2': { zone: 'AU-NSW', location: 'Asia Pacific (Sydney), New South Wales', citation: aws },
  'gcp:europe-west1': { zone: 'BE', location: 'St. Ghislain, Belgium', citation: gcp },
  'gcp:europe-west2': { zone: 'GB', location: 'London, England', citation: gcp },
  'gcp:europe-west3': { zone: 'DE', location: 'Frankfurt, Germany', citation: gcp },
  'gcp:europe-west4': { zone: 'NL', location: 'Eemshaven, Netherlands', citation: gcp },
  'gcp:europe-west9': { zone: 'FR', location: 'Paris, France', citation: gcp },
  'gcp:europe-north1': { zone: 'FI', location: 'Hamina, Finland', citation: gcp },
  'gcp:us-east4': { zone: 'US-MIDA-PJM', location: 'Ashburn, Virginia; Virginia lies in the PJM grid', citation: gcp },
  'gcp:northamerica-northeast1': { zone: 'CA-QC', location: 'Montréal, Québec', citation: gcp },
  'gcp:asia-northeast1': { zone: 'JP-TK', location: 'Tokyo, Japan; TEPCO area', citation: gcp },
  'gcp:australia-southeast1': { zone: 'AU-NSW', location: 'Sydney, New South Wales', citation: gcp },
  'azure:westeurope': { zone: 'NL', location: 'West Europe, Netherlands', citation: azure },
  'azure:northeurope': { zone: 'IE', location: 'North Europe, Ireland', citation: azure },
  'azure:francecentral': { zone: 'FR', location: 'France Central, Paris', citation: azure },
  'azure:germanywestcentral': { zone: 'DE', location: 'Germany West Central, Frankfurt', citation: azure },
  'azure:uksouth': { zone: 'GB', location: 'UK South, London', citation: azure },
  'azure:polandcentral': { zone: 'PL', location: 'Poland Central, Warsaw', citation: azure },
  'azure:eastus': { zone: 'US-MIDA-PJM', location: 'East US, Virginia; Virginia lies in the PJM grid', citation: azure },
  'azure:canadacentral': { zone: 'CA-ON', location: 'Canada Central, Toronto, Ontario', citation: azure },
  'azure:australiaeast': { zone: 'AU-NSW', location: 'Australia East, New South Wales', citation: azure },
  'azure:japaneast': { zone: 'JP-TK', location: 'Japan East, Tokyo/Saitama; TEPCO area', citation: azure },
};
