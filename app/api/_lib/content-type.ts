import { AppError } from "@/lib/errors";

/** Content types a CSV export arrives with (browsers and tools differ); none at all is accepted too. */
const CSV_CONTENT_TYPES = [
  "text/csv",
  "text/plain",
  "text/tab-separated-values",
  "application/vnd.ms-excel",
  "application/octet-stream",
  "application/csv",
  "text/comma-separated-values",
  "text/x-csv",
] as const;

/**
 * Refuses an upload whose Content-Type is not one a CSV comes as (`unsupported_media_type`, HTTP 415), before a
 * byte is stored. A form (multipart) upload is named as such: the body must be the file's bytes.
 */
export function checkUploadContentType(header: string | null): void {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "" || (CSV_CONTENT_TYPES as readonly string[]).includes(type)) return;
  if (type.startsWith("multipart/")) {
    throw new AppError(
      "unsupported_media_type",
      "This upload is a form (multipart), not a file: send the CSV file's bytes as the request body " +
        "(for example curl --data-binary @report.csv -H 'Content-Type: text/csv').",
      { contentType: type, accepted: [...CSV_CONTENT_TYPES] },
    );
  }
  throw new AppError(
    "unsupported_media_type",
    `A CSV upload cannot have the content type "${type.slice(0, 100)}". Send the CSV export as text/csv ` +
      "(text/plain, application/vnd.ms-excel and application/octet-stream are accepted too).",
    { contentType: type.slice(0, 100), accepted: [...CSV_CONTENT_TYPES] },
  );
}
