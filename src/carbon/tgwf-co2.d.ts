// Types for the data entry point of @tgwf/co2 (the package ships JavaScript only).
declare module '@tgwf/co2/data' {
  interface ElectricityMapsZone {
    zone: { zoneName: string };
    carbonIntensity: { value: number; unit: string };
  }
  interface ElectricityMapsYear {
    data: Record<string, ElectricityMapsZone>;
    methodology: string;
  }
  export const averageIntensity: { data: Record<string, number>; type: string };
  export const electricityMaps: Record<string, ElectricityMapsYear>;
}
