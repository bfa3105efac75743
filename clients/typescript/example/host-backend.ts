// How a host product's backend calls the service with the generated types. CI compiles this
// file (`npm run check`) against `src/api.d.ts`, so a change of the API that breaks it fails
// there first.
//
// The backend signs a short-lived HS256 JWT for its user with `JWT_SECRET` (`sub` = the user
// id, `exp` required; any JWT library does it) and passes it in as `token`.

import createClient from "openapi-fetch";
import type { components, paths } from "../src/api.js";

/** A post as the service returns it. */
export type Video = components["schemas"]["VideoView"];
/** Every error code the service can answer with. */
export type ErrorCode = components["schemas"]["ErrorCode"];

/** A typed client for one user of the host product. */
export function serviceClient(baseUrl: string, token: string) {
  return createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${token}` },
  });
}

/** The creator's five most viewed TikTok videos; none when TikTok is not connected. */
export async function topVideos(
  api: ReturnType<typeof serviceClient>,
): Promise<Video[]> {
  const { data, error } = await api.GET("/api/tiktok/videos", {
    params: { query: { sort: "views", order: "desc", limit: 5 } },
  });
  if (error) {
    if (error.error.code === "not_connected") return [];
    throw new Error(`${error.error.code}: ${error.error.message}`);
  }
  return data.videos;
}

/** What happened to a manual sync, in words for the host product's page. */
export async function syncNow(
  api: ReturnType<typeof serviceClient>,
): Promise<string> {
  const { data, error, response } = await api.POST("/api/auth/tiktok/sync");
  if (data) {
    return data.status === "synced"
      ? `synced ${data.videosSynced ?? 0} videos`
      : `queued: ${data.message ?? ""}`;
  }
  const code: ErrorCode = error.error.code;
  switch (code) {
    case "sync_cooldown":
      return `try again in ${response.headers.get("Retry-After") ?? "a few"} seconds`;
    case "needs_reauth":
      return "the creator must connect TikTok again";
    default:
      return `failed: ${code}`;
  }
}

/** The combined overview with plain `fetch`, typed by the same file. */
export type Overview =
  paths["/api/analytics"]["get"]["responses"][200]["content"]["application/json"];

export async function overview(
  baseUrl: string,
  token: string,
  days: number,
): Promise<Overview> {
  const response = await fetch(`${baseUrl}/api/analytics?days=${days}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    const body = (await response.json()) as components["schemas"]["ErrorBody"];
    throw new Error(`${body.error.code}: ${body.error.message}`);
  }
  return (await response.json()) as Overview;
}
