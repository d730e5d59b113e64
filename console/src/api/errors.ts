/** The contract's error envelope, and what the console makes of it: a message for a person, and the
 * fields a problem concerns, so that forms can show it next to them. */

import type { components } from "./schema.gen";

export type ErrorEnvelope = components["schemas"]["ErrorEnvelope"];

export interface FieldProblem {
  field: string;
  message: string;
}

/** A request that did not succeed: the API's envelope, API Gateway's own `{"message"}` answer (its 401,
 * 404, 413, 500), or no answer at all (`status` 0, code `network_error`). */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** `validation_error`'s details: each broken rule with the field it concerns. */
  get fieldProblems(): FieldProblem[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (problem): problem is FieldProblem =>
        typeof problem === "object" &&
        problem !== null &&
        typeof problem.field === "string" &&
        typeof problem.message === "string",
    );
  }

  static async fromResponse(response: Response): Promise<ApiError> {
    const retryAfter = Number(response.headers.get("Retry-After"));
    const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON: a proxy's or host's own page. The status says enough.
    }
    if (isEnvelope(body)) {
      const { code, message, details } = body.error;
      return new ApiError(response.status, code, message, details ?? null, retryAfterSeconds);
    }
    const gatewayMessage =
      typeof body === "object" && body !== null && "message" in body && typeof body.message === "string"
        ? body.message
        : response.statusText;
    return new ApiError(
      response.status,
      GATEWAY_CODES[response.status] ?? `http_${response.status}`,
      GATEWAY_MESSAGES[response.status] ?? `The API answered ${response.status} ${gatewayMessage}.`,
      null,
      retryAfterSeconds,
    );
  }

  static network(apiUrl: string, cause: unknown): ApiError {
    const error = new ApiError(
      0,
      "network_error",
      `The API at ${apiUrl} could not be reached. Check your connection (or that the local stack runs) and try again.`,
    );
    error.cause = cause;
    return error;
  }
}

const GATEWAY_CODES: Record<number, string> = {
  401: "unauthorized",
  404: "not_found",
  413: "payload_too_large",
  500: "internal_error",
};

const GATEWAY_MESSAGES: Record<number, string> = {
  401: "The token was refused: it is invalid or has expired. Sign in again.",
  404: "The API has no such route.",
  413: "The request is too large.",
  500: "The API failed unexpectedly. Try again; if it lasts, check its logs.",
};

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = body.error;
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    typeof error.code === "string" &&
    "message" in error &&
    typeof error.message === "string"
  );
}

/** A whole sentence for a person: the message plus what the details add (360dialog's answer, when to
 * retry, which fields are wrong). */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof Error ? error.message : String(error);
  }
  const parts = [error.message];
  const details = error.details;
  if (error.code === "provider_error" || error.code === "invalid_api_key") {
    const provider = providerDetails(details);
    if (provider) parts.push(`360dialog said: ${provider}`);
  }
  if (error.retryAfterSeconds !== null) {
    parts.push(`Try again in ${error.retryAfterSeconds} s.`);
  }
  return parts.join(" ");
}

function providerDetails(details: unknown): string | null {
  if (typeof details !== "object" || details === null) return null;
  const {
    provider_status: status,
    provider_code: code,
    provider_message: message,
  } = details as Record<string, unknown>;
  const said = [status ? `HTTP ${String(status)}` : null, code ? `code ${String(code)}` : null]
    .filter(Boolean)
    .join(", ");
  if (!said && !message) return null;
  return [said, message ? `“${String(message)}”` : null].filter(Boolean).join(": ");
}

/** What a form shows: a message per field it has, and a summary of anything that belongs to no field. */
export interface FormErrors {
  summary: string | null;
  fields: Record<string, string>;
}

export const NO_FORM_ERRORS: FormErrors = { summary: null, fields: {} };

/**
 * Places an error on the form's fields: `validation_error`'s details by their `field` (a nested
 * field such as `components.0.text` lands on the form field it starts with), and codes that concern
 * one field (`codeFields`, e.g. `invalid_api_key` -> `api_key`) on that field. What fits no field of
 * the form goes to the summary.
 */
export function formErrors(
  error: unknown,
  formFields: readonly string[],
  codeFields: Readonly<Record<string, string>> = {},
): FormErrors {
  if (!(error instanceof ApiError)) return { summary: describeError(error), fields: {} };
  const fields: Record<string, string> = {};
  const codeField = codeFields[error.code];
  if (codeField !== undefined && formFields.includes(codeField)) {
    fields[codeField] = describeError(error);
    return { summary: "Check the field marked below.", fields };
  }
  const problems = error.fieldProblems;
  if (problems.length === 0) return { summary: describeError(error), fields };
  const unplaced: string[] = [];
  for (const problem of problems) {
    const field = formFields.find(
      (candidate) => problem.field === candidate || problem.field.startsWith(`${candidate}.`),
    );
    if (field === undefined) {
      unplaced.push(`${problem.field}: ${problem.message}`);
    } else {
      fields[field] = fields[field] ? `${fields[field]} ${problem.message}` : problem.message;
    }
  }
  const summary =
    unplaced.length > 0
      ? `${error.message} ${unplaced.join("; ")}`
      : `${error.message} Check the fields marked below.`;
  return { summary, fields };
}
