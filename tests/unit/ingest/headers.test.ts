import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { headerKey, identifyFormat, mappingKind, mergeMapping, proposeMapping, publicMapping, sameMapping, suggestMapping } from "@/lib/ingest/headers";

const GOOGLE_HEADERS = [
  "Campaign status", "Campaign", "Budget", "Budget name", "Budget type", "Status", "Status reasons", "Campaign type",
  "Impr.", "Interactions", "Interaction rate", "Currency code", "Avg. cost", "Cost", "Search lost IS (budget)",
  "Avg. CPC", "Search lost IS (rank)", "Search impr. share", "Optimization score", "Bid strategy type", "Clicks",
  "Conv. rate", "Conversions", "Cost / conv.",
];

describe("headerKey", () => {
  it("reduces headers to comparable keys and lifts a currency out of parentheses", () => {
    expect(headerKey("Amount spent (USD)")).toEqual({ key: "amountspent", currency: "USD" });
    expect(headerKey("Conv. value")).toEqual({ key: "convvalue", currency: null });
    expect(headerKey("Total_Conversion").key).toBe("totalconversion");
    expect(headerKey("\uFEFFCampaignName ").key).toBe("campaignname");
    expect(headerKey("Cost (€)").currency).toBe("EUR");
  });
});

describe("proposeMapping", () => {
  it("maps the Google Ads campaign report without taking look-alike columns", () => {
    const m = proposeMapping(GOOGLE_HEADERS);
    expect(m).toMatchObject({
      campaign: "Campaign",
      impressions: "Impr.",
      clicks: "Clicks",
      conversions: "Conversions",
      spend: "Cost",
      currency: "Currency code",
      revenue: null,
      date: null,
    });
    expect(mappingKind(m)).toBe("observations");
  });

  it("prefers Meta's link clicks and the campaign id of the ad-level file", () => {
    expect(proposeMapping(["Campaign name", "Clicks (all)", "Link clicks", "Impressions"]).clicks).toBe("Link clicks");
    expect(proposeMapping(["ad_id", "xyz_campaign_id", "fb_campaign_id", "Impressions"]).campaign).toBe("xyz_campaign_id");
  });

  it("reads an orders file as orders", () => {
    const m = proposeMapping(["date", "campaign", "order_id", "value"]);
    expect(m).toMatchObject({ order_id: "order_id", value: "value" });
    expect(mappingKind(m)).toBe("orders");
  });

  it("finds nothing usable in unknown headers", () => {
    expect(mappingKind(proposeMapping(["Kampagne", "Tag", "Klicks"]))).toBeNull();
  });
});

describe("suggestMapping", () => {
  it("guesses the mapping editor's columns for the real daily campaign's sheet (../shared/data/ads), header by header", () => {
    // its headers, in its order: whole-key matches first, then keys containing a synonym of 5 letters or more
    const headers = ["report_date", "campaign_number", "user_engagement", "banner", "placement", "displays", "cost", "clicks", "revenue", "post_click_conversions", "post_click_sales_amount"];
    expect(suggestMapping(headers)).toEqual({
      date: "report_date",
      campaign: "campaign_number",
      impressions: "displays",
      clicks: "clicks",
      conversions: "post_click_conversions",
      spend: "cost",
      revenue: "revenue",
    });
  });
  it("guesses nothing from short synonyms inside other words, and never one header for two fields", () => {
    // "ad" is inside "leaderboard", "day" inside "weekday": too short to look for
    expect(suggestMapping(["leaderboard", "weekday", "score"])).toEqual({});
    // "clicks" is whole-key for clicks; "post_clicks_total" then holds no second guess for it
    expect(suggestMapping(["clicks", "post_clicks_total"])).toEqual({ clicks: "clicks" });
  });
});

describe("mergeMapping", () => {
  const headers = ["Kampagne", "Tag", "Klicks", "Kosten"];

  it("puts the user's columns over the detected ones and lets null remove a column", () => {
    const m = mergeMapping(proposeMapping(headers), { campaign: "kampagne", clicks: "Klicks", spend: null }, headers);
    expect(m.campaign).toBe("Kampagne"); // matched ignoring case, stored as the file writes it
    expect(m.clicks).toBe("Klicks");
    expect(m.spend).toBeNull();
    expect(mappingKind(m)).toBe("observations");
  });

  it("moves a column from a detected field to the one the user names", () => {
    const h = ["campaign", "clicks", "conversions"];
    const m = mergeMapping(proposeMapping(h), { conversions: "clicks" }, h);
    expect(m.conversions).toBe("clicks");
    expect(m.clicks).toBeNull();
  });

  it("refuses a header the file does not have, listing the ones it has", () => {
    try {
      mergeMapping(proposeMapping(headers), { clicks: "Link clicks" }, headers);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe("unrecognised_format");
      expect((e as Error).message).toMatch(/"Kampagne", "Tag", "Klicks", "Kosten"/);
    }
  });
});

describe("sameMapping and publicMapping", () => {
  it("compare field by field, treating absent as null", () => {
    const a = publicMapping(proposeMapping(["date", "campaign", "clicks"]));
    expect(sameMapping(a, { date: "date", campaign: "campaign", clicks: "clicks" })).toBe(true);
    expect(sameMapping(a, { date: "date", campaign: "campaign", clicks: null })).toBe(false);
    expect(Object.keys(a)).not.toContain("date_end");
  });
});

describe("identifyFormat", () => {
  it("names each platform from what only it writes", () => {
    expect(identifyFormat(["date", "campaign", "impressions", "clicks", "conversions", "spend", "revenue"], [])).toBe("generic");
    expect(identifyFormat(["date", "campaign", "order_id", "value"], [])).toBe("orders");
    expect(identifyFormat(GOOGLE_HEADERS, ["Campaign report", "All time"])).toBe("google_ads");
    expect(identifyFormat(["Campaign name", "Reporting starts", "Amount spent (USD)", "Impressions"], [])).toBe("meta_ads");
    expect(identifyFormat(["Gregorian date", "Campaign name", "Impressions", "Spend"], ["Report Name: x"])).toBe("microsoft_ads");
    expect(identifyFormat(["ad_id", "xyz_campaign_id", "Impressions", "Spent", "Total_Conversion"], [])).toBe("ad_level");
    expect(identifyFormat(["Kampagne", "Klicks"], [])).toBe("mapped");
  });
});
