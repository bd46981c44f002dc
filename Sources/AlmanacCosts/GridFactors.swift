/// Grid carbon intensity by country (ISO 3166 codes), grams of CO2e per kWh generated, life
/// cycle included. Source: Ember's yearly electricity data, as published by Our World in Data
/// ("Carbon intensity of electricity generation"), values for 2023; `WORLD` is Ember's global
/// average for 2023. A file's `grid:` overrides or adds to it (a regional grid, a newer year,
/// a supplier's own factor); hourly values can come from a scraped series instead.
public enum GridFactors {
    public static let year = 2023
    public static let source = "Ember yearly electricity data via Our World in Data, carbon intensity of electricity generation, 2023"

    public static let table: [String: Double] = [
        "AR": 354, "AT": 111, "AU": 549, "BE": 138, "BG": 335, "BR": 98, "CA": 170, "CL": 291, "CN": 582, "CO": 260, "CR": 53,
        "CZ": 450, "DE": 381, "DK": 152, "EE": 417, "EG": 570, "FI": 79, "FR": 56, "GR": 337, "HR": 205, "HU": 204, "IE": 291,
        "IN": 713, "NO": 30, "PL": 662, "SE": 41, "WORLD": 481,
    ]
}
