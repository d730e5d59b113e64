/** The Business profile section of the contract (api.md, "Business profile"), and the photo's upload
 * (api.md, "Media": announce the file, PUT it to the signed URL, then name the upload). */

import type { ApiClient, Schemas } from "./client";
import { ApiError } from "./errors";

export type BusinessProfile = Schemas["ProfileOut"];
export type ProfileChanges = Schemas["UpdateProfileRequest"];

export function profileApi(client: ApiClient) {
  const channel = (channelId: string) => ({ channel_id: channelId });
  return {
    get: (channelId: string, signal?: AbortSignal): Promise<BusinessProfile> =>
      client.request("get", "/channels/{channel_id}/profile", { path: channel(channelId), signal }),
    sync: (channelId: string): Promise<BusinessProfile> =>
      client.request("post", "/channels/{channel_id}/profile/sync", { path: channel(channelId) }),
    update: (channelId: string, body: ProfileChanges): Promise<BusinessProfile> =>
      client.request("patch", "/channels/{channel_id}/profile", { path: channel(channelId), body }),
    /** Uploads the file to the media bucket, then makes it the profile photo. */
    async setPhoto(channelId: string, file: File): Promise<BusinessProfile> {
      const upload = await client.request("post", "/channels/{channel_id}/media/uploads", {
        path: channel(channelId),
        body: { filename: file.name || "photo", mime_type: file.type, file_size: file.size },
      });
      let stored: Response;
      try {
        stored = await fetch(upload.upload_url, {
          method: "PUT",
          headers: { "Content-Type": file.type },
          body: file,
        });
      } catch (cause) {
        const error = new ApiError(
          0,
          "upload_failed",
          "The photo could not be uploaded: the storage did not answer. Check your connection and try again.",
        );
        error.cause = cause;
        throw error;
      }
      if (!stored.ok) {
        throw new ApiError(
          stored.status,
          "upload_failed",
          `The storage refused the photo (HTTP ${stored.status}). Try again; the upload link lasts 15 minutes.`,
        );
      }
      return client.request("put", "/channels/{channel_id}/profile/photo", {
        path: channel(channelId),
        body: { upload_id: upload.upload_id },
      });
    },
  };
}

export type ProfileApi = ReturnType<typeof profileApi>;
